# Cortado's ratio to every peer, and to issue 5's targets, from compare.sh's results TSV
# (columns: label workload conns req/s p50 p99 non2xx connect read write timeout other [round]).
# With several rounds, the median round per label and workload is used, as compare.sh shows it.
#   awk -v target=cortado -f bench/ratios.awk bench/.work/compare/results-*.tsv
BEGIN { FS = "\t"; if (target == "") target = "cortado" }
$4 != "-" {
  key = $1 SUBSEP $2
  if (!(key in n)) { if (!($1 in seen)) { seen[$1] = 1; labels[++nl] = $1 } }
  v[key, ++n[key]] = $4 + 0; p99s[key, n[key]] = $6; errs[key, n[key]] = $7 + $8 + $9 + $10
}
function median(key,   i, j, t, m, a, b) {
  m = n[key]
  for (i = 1; i <= m; i++) a[i] = v[key, i]
  for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  return a[int((m + 1) / 2)]
}
END {
  split("W1 W2 W3 W4", ws, " ")
  for (l = 1; l <= nl; l++) for (i = 1; i <= 4; i++) if ((labels[l], ws[i]) in n) r[labels[l], ws[i]] = median(labels[l] SUBSEP ws[i])
  print "| peer | W1 req/s | " target " ÷ peer | W2 req/s | " target " ÷ peer | W3 req/s | " target " ÷ peer | W4 req/s | " target " ÷ peer |"
  print "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for (l = 1; l <= nl; l++) {
    p = labels[l]; if (p == target) continue
    line = "| " p
    for (i = 1; i <= 4; i++) {
      w = ws[i]
      if (r[p, w] > 0 && r[target, w] > 0) line = line sprintf(" | %d | %.2f", r[p, w], r[target, w] / r[p, w])
      else line = line " | - | -"
    }
    print line " |"
  }
  line = "| **" target "**"
  for (i = 1; i <= 4; i++) line = line sprintf(" | **%d** | ", r[target, ws[i]])
  print line " |"
  print ""
  print "| target (issue 5) | wanted | measured | met? |"
  print "|---|---:|---:|---|"
  py = "gunicorn-sync gunicorn-gevent starlette-uvicorn fastapi-uvicorn"; np = split(py, pys, " ")
  for (i = 1; i <= 3; i++) {
    w = ws[i]; best = 0; bn = "-"
    for (j = 1; j <= np; j++) if (r[pys[j], w] > best) { best = r[pys[j], w]; bn = pys[j] }
    if (best > 0) check(w " ÷ fastest Python peer (" bn ")", 1.0, r[target, w] / best)
    if (r["node-http-x2", w] > 0) check(w " ÷ node-http-x2", w == "W1" ? 0.6 : 0.8, r[target, w] / r["node-http-x2", w])
    if (w == "W1" && r["gunicorn-sync", w] > 0) check("W1 ÷ gunicorn-sync", 4.0, r[target, w] / r["gunicorn-sync", w])
  }
  for (k = 1; k <= n[target SUBSEP "W4"]; k++) if (v[target, "W4", k] == r[target, "W4"]) { p99 = p99s[target, "W4", k]; e = errs[target, "W4", k] }
  if (r[target, "W4"] > 0) {
    check("W4 ÷ theoretical (conns ÷ 100 ms = 10,000/s at 1,000)", 0.95, r[target, "W4"] / 10000)
    printf "| W4 p99 at 1,000 connections | < 150 ms | %s ms | %s |\n", p99, (p99 + 0 < 150 ? "yes" : "no")
    printf "| W4 errors at 1,000 connections (non-2xx + socket) | 0 | %d | %s |\n", e, (e == 0 ? "yes" : "no")
  }
}
function check(name, wanted, got) { printf "| %s | %.2f | %.2f | %s |\n", name, wanted, got, (got >= wanted ? "yes" : "no, short by " sprintf("%.0f%%", 100 * (1 - got / wanted))) }
