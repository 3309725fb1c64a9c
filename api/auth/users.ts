import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { RoleSchema, type User } from '../../core/schemas/api.js'
import { RegionCodeSchema } from '../../core/schemas/common.js'
import { hashPassword, verifyPassword } from './passwords.js'

export const StoredUserSchema = z.object({
  name: z.string().min(1),
  role: RoleSchema,
  region: RegionCodeSchema,
  password_hash: z.string().startsWith('scrypt$'),
})
export type StoredUser = z.infer<typeof StoredUserSchema>

/** The contract's demo accounts; only ever loaded under IOC_DEMO=1 on a loopback bind. */
export const DEMO_ACCOUNTS: Array<Omit<StoredUser, 'password_hash'>> = [
  { name: 'admin', role: 'admin', region: '3201' },
  { name: 'operator', role: 'operator', region: '3201' },
  { name: 'leader.xuanwu', role: 'leader', region: '320102' },
  { name: 'analyst', role: 'analyst', region: '3201' },
]
export const DEMO_PASSWORD = 'demo'
export const DEMO_INGEST_TOKEN = 'demo-ingest-token'

export class UserDirectory {
  private readonly users = new Map<string, StoredUser>()

  add(user: StoredUser): void {
    this.users.set(user.name, user)
  }

  /** The user when the password matches; undefined otherwise (same work either way). */
  async authenticate(name: string, password: string): Promise<User | undefined> {
    const u = this.users.get(name)
    const ok = await verifyPassword(password, u?.password_hash ?? DUMMY_HASH)
    return u && ok ? { name: u.name, role: u.role, region: u.region } : undefined
  }

  /** The user as the directory has it now (no password check): for refreshing a session. */
  lookup(name: string): User | undefined {
    const u = this.users.get(name)
    return u && { name: u.name, role: u.role, region: u.region }
  }

  get size(): number {
    return this.users.size
  }
}

// Verifying against a fixed hash for unknown names keeps login timing the same for both cases.
const DUMMY_HASH = 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='

/** Users from IOC_USERS_FILE (a JSON array of {name, role, region, password_hash}) and the demo accounts. */
export async function loadUsers(opts: { usersFile?: string; demo: boolean }): Promise<UserDirectory> {
  const dir = new UserDirectory()
  if (opts.usersFile) {
    const parsed = z.array(StoredUserSchema).safeParse(JSON.parse(readFileSync(opts.usersFile, 'utf8')))
    if (!parsed.success) throw new Error(`${opts.usersFile}: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`)
    for (const u of parsed.data) dir.add(u)
  }
  if (opts.demo) {
    for (const a of DEMO_ACCOUNTS) dir.add({ ...a, password_hash: await hashPassword(DEMO_PASSWORD) })
  }
  return dir
}
