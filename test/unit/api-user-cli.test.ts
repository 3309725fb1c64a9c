import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadUsers } from '#platform/auth/users.js'

const dir = mkdtempSync(join(tmpdir(), 'ioc-users-'))
const file = join(dir, 'users.json')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const cli = (args: string[], input: string) =>
  execFileSync(process.execPath, ['--import', 'tsx', 'bin/user.ts', ...args], {
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  })

describe('npm run user', () => {
  it('adds a user whose password then signs in, with the role and region given', async () => {
    expect(
      cli(
        ['add', 'zhang', '--role', 'leader', '--region', '320102', '--file', file, '--password-stdin'],
        'long-enough-pw\n',
      ),
    ).toContain('added zhang')
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Array<{ password_hash: string }>
    expect(stored[0].password_hash).toMatch(/^scrypt\$/)
    expect(JSON.stringify(stored)).not.toContain('long-enough-pw')
    const users = await loadUsers({ usersFile: file, demo: false })
    expect(await users.authenticate('zhang', 'long-enough-pw')).toEqual({
      name: 'zhang',
      role: 'leader',
      region: '320102',
    })
    expect(await users.authenticate('zhang', 'wrong')).toBeUndefined()
    // No demo accounts without IOC_DEMO.
    expect(await users.authenticate('admin', 'demo')).toBeUndefined()
    users.close()
  }, 30_000)

  it('refuses an unknown role, an unknown region and a short password, naming the problem', () => {
    const fail = (args: string[], input: string) => {
      try {
        cli(args, input)
        return ''
      } catch (err) {
        return String((err as { stderr?: string }).stderr)
      }
    }
    expect(
      fail(['add', 'li', '--role', 'boss', '--region', '3201', '--file', file, '--password-stdin'], 'long-enough-pw'),
    ).toContain('--role must be one of')
    expect(
      fail(
        ['add', 'li', '--role', 'analyst', '--region', '9999', '--file', file, '--password-stdin'],
        'long-enough-pw',
      ),
    ).toContain('--region 9999')
    expect(
      fail(['add', 'li', '--role', 'analyst', '--region', '3201', '--file', file, '--password-stdin'], 'short'),
    ).toContain('at least 8')
  }, 30_000)
})
