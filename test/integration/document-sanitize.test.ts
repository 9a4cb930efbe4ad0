import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/context/index.js'
import { getDocument, insertDocument, newDocument } from '../../src/model/index.js'
import { createTestBench, runAs, type TestBench } from '../helpers/bench.js'

// Spec 6.3 step 6: Frappe sanitises HTML on save, so stored rich text cannot carry scripts.
describe('insertDocument HTML sanitising', () => {
  let bench: TestBench
  let site: Site

  beforeAll(async () => {
    bench = await createTestBench()
    site = await bench.newSite()
  })
  afterAll(() => bench.close())

  it('strips scripts, event handlers and javascript: links from a Text Editor field, keeping the formatting', async () => {
    const hostile = '<p>Call <b>Bob</b><script>alert(1)</script><img src="https://x.test/a.png" onerror="alert(2)"><a href="javascript:alert(3)">here</a></p>'
    const stored = await runAs(site, async () => {
      const todo = await insertDocument(newDocument('ToDo', { description: hostile }))
      return getDocument('ToDo', String(todo.name))
    })
    expect(stored.get('description')).toBe('<p>Call <b>Bob</b><img src="https://x.test/a.png" /><a>here</a></p>')
  })

  it('leaves plain-text fields as typed, as Frappe does', async () => {
    const title = 'Tom & Jerry <3 <b>bold</b>'
    const stored = await runAs(site, async () => {
      const note = await insertDocument(newDocument('Note', { title, content: '<p>ok</p>' }))
      return getDocument('Note', String(note.name))
    })
    expect(stored.get('title')).toBe(title)
    expect(stored.get('content')).toBe('<p>ok</p>')
  })
})
