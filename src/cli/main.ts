import { Command } from 'commander'
import { schedulerCommand, workerCommand } from './background-commands.js'
import { backupCommand, restoreCommand } from './backup-commands.js'
import { migrateCommand, newSiteCommand, serveCommand, setAdminPasswordCommand, startCommand } from './commands.js'

const PROCESSES_HELP = 'processes serving the same port, or "auto" for one per core (default CORTADO_PROCESSES, WEB_CONCURRENCY or 1)'

const program = new Command('cortado')
  .description('Cortado: an async-first framework that speaks the Frappe wire protocol')
  .showHelpAfterError()

program
  .command('start')
  .description('create the demo site on first use, then serve every site (what `npm start` runs)')
  .option('--host <host>', 'address to bind (default HOST or 127.0.0.1)')
  .option('--port <port>', 'port to bind (default PORT or 8000)')
  .option('--processes <count>', PROCESSES_HELP)
  .action(startCommand)

program
  .command('serve')
  .description('serve every site of the bench over HTTP')
  .option('--host <host>', 'address to bind (default HOST or 127.0.0.1)')
  .option('--port <port>', 'port to bind (default PORT or 8000)')
  .option('--processes <count>', PROCESSES_HELP)
  .action(serveCommand)

program
  .command('worker')
  .description('run background jobs: BullMQ workers with redis_queue, else the embedded queues')
  .option('--queue <names>', 'queues to work on, comma-separated (default short,default,long)')
  .action(workerCommand)

program
  .command('scheduler')
  .description('run the scheduler alone: scheduler_events of every site, once per tick')
  .action(schedulerCommand)

program
  .command('new-site <name>')
  .description('create a site: its folder, site_config.json, database, tables and Administrator')
  .option('--admin-password <password>', 'Administrator password (default ADMIN_PASSWORD, else "admin")')
  .option('--db-type <type>', 'sqlite (default: a file in the site folder), postgres or mariadb')
  .option('--db-host <host>', 'database server (default 127.0.0.1)')
  .option('--db-port <port>', 'database server port (default 5432 for postgres, 3306 for mariadb)')
  .option('--db-name <name>', 'database to use, created when missing (default: the site name with dots as underscores)')
  .option('--db-user <user>', 'database user (default: the database name, as Frappe)')
  .option('--db-password <password>', 'database password')
  .action(newSiteCommand)

program
  .command('backup')
  .description('write every table of a site, from one consistent snapshot, to a gzipped JSON-lines file that restores on any engine')
  .option('--site <name>', 'the site (default: default_site)')
  .option('--file <path>', 'where to write (default sites/<site>/private/backups/<time>-<site>-database.jsonl.gz)')
  .action(backupCommand)

program
  .command('restore <file>')
  .description("replace a site's data with a backup's, from the same or another engine; tables and columns of the backup's custom DocTypes and fields are created")
  .option('--site <name>', 'the site (default: default_site)')
  .action(restoreCommand)

program
  .command('migrate')
  .description('create and alter tables to match the DocTypes, keeping every row')
  .option('--site <name>', 'one site (default: every site)')
  .action(migrateCommand)

program
  .command('set-admin-password <password>')
  .description("replace the Administrator's password")
  .option('--site <name>', 'the site (default: default_site)')
  .action(setAdminPasswordCommand)

await program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
