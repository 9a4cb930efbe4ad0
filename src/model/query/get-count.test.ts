import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DataError } from '../../errors/index.js'
import { createQueryFixture, type QueryFixture } from './test-fixtures.js'

let fixture: QueryFixture
beforeAll(async () => {
  fixture = await createQueryFixture()
})
afterAll(async () => {
  await fixture.close()
})

describe('getCount', () => {
  it('counts matching rows with filters and or_filters', async () => {
    expect(await fixture.count('Query Order', {})).toBe(5)
    expect(await fixture.count('Query Order', { filters: '{"status":"Open"}' })).toBe(2)
    expect(
      await fixture.count('Query Order', {
        or_filters: [
          ['status', '=', 'Closed'],
          ['priority', '>=', 5],
        ],
      }),
    ).toBe(2)
  })

  it('counts each document once when a filter joins a child table', async () => {
    expect(await fixture.count('Query Order', { filters: [['Query Item', 'qty', '>', 0]] })).toBe(4)
  })

  it('counts groups', async () => {
    expect(await fixture.count('Query Order', { group_by: 'status' })).toBe(4)
    expect(
      await fixture.count('Query Order', { group_by: 'owner', filters: { status: 'Open' } }),
    ).toBe(1)
  })

  it('rejects bad filters like getList', async () => {
    await expect(fixture.count('Query Order', { filters: [['nope', '=', 1]] })).rejects.toThrow(
      DataError,
    )
  })
})
