import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTokenSecret, SECRET_FILE } from '../../../proxy/signup/bots/secret'
import { tempDir } from '../../helpers/temp-dir'

describe('token secret', () => {
  it('should take FLOWFORM_TOKEN_SECRET when set and write nothing', () => {
    const dir = join(tempDir('bots'), 'data')
    expect(loadTokenSecret('s'.repeat(32), dir).toString()).toBe('s'.repeat(32))
  })

  it('should generate a key once into the data directory, readable by the owner only', () => {
    const dir = join(tempDir('bots'), 'data')
    const first = loadTokenSecret(undefined, dir)
    expect(first.length).toBe(64)
    expect(statSync(join(dir, SECRET_FILE)).mode & 0o777).toBe(0o600)
    expect(loadTokenSecret(undefined, dir).equals(first)).toBe(true)
    expect(readFileSync(join(dir, SECRET_FILE), 'utf8')).toBe(first.toString())
  })
})
