export { buildServer, type ServerOptions } from './server.js'
export type { SiteResolver } from './run-request.js'
