import { currentContext, publishRealtime } from '../context/index.js'
import { taskIdOf } from './run-job.js'

/**
 * Frappe's `publish_progress` from inside a job (a long call's handler, say): `task_progress`
 * to `task_progress:{job id}`. Outside a job it does nothing.
 */
export function publishProgress(progress: number | readonly [number, number], extra: Readonly<Record<string, unknown>> = {}): void {
  const jobId = currentContext().flags.jobId
  if (typeof jobId !== 'string') return
  const taskId = taskIdOf(jobId)
  publishRealtime('task_progress', { ...extra, task_id: taskId, progress }, { taskId })
}
