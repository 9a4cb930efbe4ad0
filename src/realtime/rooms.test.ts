import { describe, expect, it } from 'vitest'
import { routeEvent } from './rooms.js'

describe('routeEvent', () => {
  it('follows Frappe publish_realtime room rules in order', () => {
    expect(routeEvent('x', {}, { room: 'website', user: 'a@x', doctype: 'Note', docname: 'N1' }).room).toBe('website')
    expect(routeEvent('list_update', { doctype: 'Note', name: 'N1' }, {}).room).toBe('doctype:Note')
    expect(routeEvent('docinfo_update', {}, { doctype: 'Note', docname: 'N1', user: 'a@x' }).room).toBe('doc:Note/N1')
    expect(routeEvent('x', {}, { taskId: 't1', user: 'a@x' }).room).toBe('task_progress:t1')
    expect(routeEvent('x', {}, { user: 'a@x', doctype: 'Note', docname: 'N1' }).room).toBe('user:a@x')
    expect(routeEvent('x', {}, { doctype: 'Note', docname: 'N1' }).room).toBe('doc:Note/N1')
    expect(routeEvent('x', {}, { doctype: 'Note' }).room).toBe('all')
  })

  it('names a missing event and adds task_id to task messages', () => {
    expect(routeEvent('', { a: 1 }, { taskId: 't1' })).toEqual({ event: 'task_progress', room: 'task_progress:t1', message: { a: 1, task_id: 't1' } })
    expect(routeEvent('', { a: 1 }, {})).toEqual({ event: 'global', room: 'all', message: { a: 1 } })
  })
})
