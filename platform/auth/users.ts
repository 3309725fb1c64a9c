import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import { z } from 'zod'
import { RoleSchema, type User } from '#core/schemas/api.js'
import { RegionCodeSchema } from '#core/schemas/common.js'
import type { DemoAccount } from '#core/schemas/city.js'
import { cityDir, loadCityConfig } from '../config/city.js'
import { log } from '../log.js'
import { hashPassword, verifyPassword } from './passwords.js'

export const StoredUserSchema = z.object({
  name: z.string().min(1),
  role: RoleSchema,
  region: RegionCodeSchema,
  password_hash: z.string().startsWith('scrypt$'),
})
export type StoredUser = z.infer<typeof StoredUserSchema>

export const DEMO_PASSWORD = 'demo'
export const DEMO_INGEST_TOKEN = 'demo-ingest-token'

/** The users file's accounts by name; an Error naming the file, field and reason when it is not valid. */
export function readUsersFile(file: string): Map<string, StoredUser> {
  const parsed = z.array(StoredUserSchema).safeParse(JSON.parse(readFileSync(file, 'utf8')))
  if (!parsed.success)
    throw new Error(`${file}: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`)
  return new Map(parsed.data.map((u) => [u.name, u]))
}

/**
 * What identifies one version of a file without reading it: a rename gives a new inode, an edit a new mtime or size.
 */
function fileSignature(file: string): string {
  try {
    const st = statSync(file, { bigint: true })
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`
  } catch {
    return 'missing'
  }
}

/**
 * The accounts that may sign in: those of the users file (IOC_USERS_FILE), read again as soon as it
 * changes, and the fixed ones (demo accounts, or added in code). Every question first compares the
 * file's stat with the one last read (one stat call), so a removal or change made by
 * `npm run user` holds from the very next request; a watcher on the file's folder tells
 * `onChange` listeners (the live sockets) without waiting for a request. A file that cannot be read
 * or parsed is reported and the accounts read before stay, as a broken layer file does: a typo in
 * a hand edit must not sign every wall out.
 */
export class UserDirectory {
  /** Demo accounts and accounts added in code; they win over the file's. */
  private readonly fixed = new Map<string, StoredUser>()
  private fromFile = new Map<string, StoredUser>()
  private signature: string | undefined
  private watcher: FSWatcher | undefined
  private readonly listeners = new Set<() => void>()

  constructor(private readonly file?: string) {}

  add(user: StoredUser): void {
    this.fixed.set(user.name, user)
    this.emit()
  }

  /** Read the file now; throws when it is not valid (at start-up a broken file stops the process). */
  load(): void {
    if (!this.file) return
    const signature = fileSignature(this.file)
    this.fromFile = readUsersFile(this.file)
    this.signature = signature
  }

  /** Re-read the file when its stat changed since the last read; true when the accounts changed. */
  sync(): boolean {
    if (!this.file) return false
    const signature = fileSignature(this.file)
    if (signature === this.signature) return false
    this.signature = signature
    try {
      this.fromFile = readUsersFile(this.file)
    } catch (err) {
      log.error(
        { err, file: this.file },
        'the users file cannot be read: the accounts read before stay until it is fixed',
      )
      return false
    }
    log.info({ file: this.file, users: this.fromFile.size }, 'users file read again')
    this.emit()
    return true
  }

  /** Tell listeners of changes as they happen (the folder is watched: a rename replaces the file itself). */
  watch(): void {
    if (!this.file || this.watcher) return
    const name = basename(this.file)
    try {
      this.watcher = watch(dirname(this.file), (_event, changed) => {
        if (!changed || changed === name) this.sync()
      })
      this.watcher.on('error', (err) =>
        log.warn({ err, file: this.file }, 'watching the users file failed: changes are seen at the next request'),
      )
      this.watcher.unref()
    } catch (err) {
      log.warn({ err, file: this.file }, 'cannot watch the users file: changes are seen at the next request')
    }
  }

  /** Call `listener` whenever the accounts change; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The user when the password matches; undefined otherwise (same work either way). */
  async authenticate(name: string, password: string): Promise<User | undefined> {
    const u = this.get(name)
    const ok = await verifyPassword(password, u?.password_hash ?? DUMMY_HASH)
    return u && ok ? { name: u.name, role: u.role, region: u.region } : undefined
  }

  /** The user as the directory has it now (no password check): for judging and renewing a session. */
  lookup(name: string): User | undefined {
    const u = this.get(name)
    return u && { name: u.name, role: u.role, region: u.region }
  }

  get size(): number {
    this.sync()
    return new Set([...this.fixed.keys(), ...this.fromFile.keys()]).size
  }

  close(): void {
    this.watcher?.close()
    this.watcher = undefined
    this.listeners.clear()
  }

  private get(name: string): StoredUser | undefined {
    this.sync()
    return this.fixed.get(name) ?? this.fromFile.get(name)
  }

  private emit(): void {
    for (const l of this.listeners) {
      try {
        l()
      } catch (err) {
        log.warn({ err }, 'a users listener failed')
      }
    }
  }
}

// Verifying against a fixed hash for unknown names keeps login timing the same for both cases.
const DUMMY_HASH = 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='

/** Users from IOC_USERS_FILE (a JSON array of {name, role, region, password_hash}), watched, and the demo accounts. */
export async function loadUsers(opts: {
  usersFile?: string
  demo: boolean
  /** The city's demo accounts (city.yaml `demo_accounts`); read from IOC_CITY_DIR's city when not given. */
  demoAccounts?: readonly DemoAccount[]
}): Promise<UserDirectory> {
  const dir = new UserDirectory(opts.usersFile)
  dir.load()
  dir.watch()
  // Only ever under IOC_DEMO=1 on a loopback bind (platform/env.ts resolveHost).
  if (opts.demo) {
    const password_hash = await hashPassword(DEMO_PASSWORD)
    for (const a of opts.demoAccounts ?? loadCityConfig(cityDir()).demo_accounts) dir.add({ ...a, password_hash })
  }
  return dir
}
