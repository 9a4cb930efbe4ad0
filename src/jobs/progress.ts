import { currentContext, publishRealtime } from '../context/index.js'
import { taskIdOf } from './run-job.js'

/**
 * Progress of the running job (a long call's handler, say) as `task_progress`
 * to `task_progress:{job id}`. Outside a job it does nothing.
 */
export function publishJobProgress(progress: number | readonly [number, number], extra: Readonly<Record<string, unknown>> = {}): void {
  const jobId = currentContext().flags.jobId
  if (typeof jobId !== 'string') return
  const taskId = taskIdOf(jobId)
  publishRealtime('task_progress', { ...extra, task_id: taskId, progress }, { taskId })
}
