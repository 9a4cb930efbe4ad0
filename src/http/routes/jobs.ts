import type { FastifyInstance } from 'fastify'
import { readJobStatus } from '../../api/index.js'
import { runRequest, type SiteResolver } from '../run-request.js'

/**
 * `GET /api/v2/job/{job_id}`: how a long call's job is doing (`queued`, `started`, `finished`
 * with `result`, `failed` with `exc`), for the user who started it or a System Manager.
 * Registered inside the v2 scope, so errors have v2's shape.
 */
export function registerJobRoutes(scope: FastifyInstance, sites: SiteResolver): void {
  scope.get('/job/:job_id', async (request, reply) => {
    const jobId = (request.params as Record<string, string>).job_id ?? ''
    const { result } = await runRequest(sites, request, () => readJobStatus(jobId))
    return reply.code(200).send({ data: result })
  })
}
