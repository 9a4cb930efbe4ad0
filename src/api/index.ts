import type { AppHooksShape } from '../doctypes/index.js'
import { AUTH_METHODS } from './auth-methods.js'
import { CLIENT_METHODS } from './client/index.js'
import { DESK_METHODS } from './desk/index.js'
import { FILE_METHODS } from './files.js'
import { FRAMEWORK_METHODS } from './framework-methods.js'

export { CORTADO_VERSION } from './framework-methods.js'
export {
  assertCanQuery,
  documentFromClient,
  isTruthy,
  methodArgs,
  pickListArgs,
  readCount,
  readList,
  resourceListArgs,
  runOnDocument,
  runResourceMethod,
  verbOf,
} from './client/index.js'
export { metaAsDict } from './desk/index.js'
export { FRAMEWORK_JOB_FUNCTIONS, isJobTicket, jobFunctionOf, readJobStatus, rqJobProvider, startLongCall, type JobTicket } from './jobs.js'
export { docAsDict, docNoNulls, documentFromDict, newDocumentValues } from './document-dict.js'
export { isMethodReply, methodReply, replyPayload, type MethodReply } from './method-reply.js'

/**
 * The hooks of the framework's own app, `frappe`: its whitelisted functions, which the HTTP
 * layer serves under `/api/method/<dotted.path>` like any app's.
 */
export const frappeHooks: AppHooksShape = {
  app_name: 'frappe',
  app_title: 'Frappe Framework',
  whitelisted_methods: {
    ...FRAMEWORK_METHODS,
    ...CLIENT_METHODS,
    ...DESK_METHODS,
    ...AUTH_METHODS,
    ...FILE_METHODS,
  },
}
