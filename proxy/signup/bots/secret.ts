import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The file a generated key is kept in, inside the data directory. */
export const SECRET_FILE = 'token-secret'

/**
 * The key of the timing tokens and the proof-of-work challenges: FLOWFORM_TOKEN_SECRET when set
 * (every instance must share it), else one generated once into the data directory (0600), so a
 * restart keeps the tokens of open pages valid.
 */
export function loadTokenSecret(fromEnv: string | undefined, dataDir: string): Buffer {
  if (fromEnv !== undefined) {
    return Buffer.from(fromEnv, 'utf8')
  }
  const file = join(dataDir, SECRET_FILE)
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  try {
    // `wx`: never overwrite a key another instance (or an earlier start) wrote.
    writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error
    }
  }
  const text = readFileSync(file, 'utf8').trim()
  if (text.length < 32) {
    throw new Error(`${file} holds no usable key; delete it and start again`)
  }
  return Buffer.from(text, 'utf8')
}
