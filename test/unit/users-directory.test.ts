import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '#platform/auth/passwords.js'
import { loadUsers, type UserDirectory } from '#platform/auth/users.js'

/** The users file is read again when it changes: at the next question (its stat), and pushed by a watcher. */
const dir = mkdtempSync(join(tmpdir(), 'ioc-directory-'))
const file = join(dir, 'users.json')
let hash: string
let users: UserDirectory

function write(list: Array<{ name: string; role: string; region: string }>, raw?: string): void {
  writeFileSync(`${file}.tmp`, raw ?? JSON.stringify(list.map((u) => ({ ...u, password_hash: hash }))))
  renameSync(`${file}.tmp`, file)
}

beforeAll(async () => {
  hash = await hashPassword('long-enough-pw')
  write([{ name: 'zhang', role: 'leader', region: '320102' }])
  users = await loadUsers({ usersFile: file, demo: true })
})
afterAll(() => {
  users.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the users directory', () => {
  it('sees a removal and a change at the very next lookup, and keeps the demo accounts', () => {
    expect(users.lookup('zhang')).toEqual({ name: 'zhang', role: 'leader', region: '320102' })
    write([{ name: 'li', role: 'analyst', region: '3201' }])
    expect(users.lookup('zhang')).toBeUndefined()
    expect(users.lookup('li')).toEqual({ name: 'li', role: 'analyst', region: '3201' })
    expect(users.lookup('operator')).toEqual({ name: 'operator', role: 'operator', region: '3201' })
  })

  it('keeps the accounts read before while the file is broken, and reads it once fixed', () => {
    write([], '[{"name": "li", "role": ')
    expect(users.lookup('li')).toEqual({ name: 'li', role: 'analyst', region: '3201' })
    write([{ name: 'li', role: 'leader', region: '320102' }])
    expect(users.lookup('li')).toEqual({ name: 'li', role: 'leader', region: '320102' })
  })

  it('tells listeners when the file changes, without anyone asking', async () => {
    const changed = new Promise<void>((resolve) => {
      const stop = users.onChange(() => {
        stop()
        resolve()
      })
    })
    write([{ name: 'wu', role: 'operator', region: '320102' }])
    await changed
    expect(users.lookup('wu')).toBeDefined()
  })
})
