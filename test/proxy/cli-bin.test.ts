// bin/flowform.js as a real child process, the way `npx flowform` runs it: sandbox mode.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { SANDBOX_SEED } from '../../fakes/infobip-fake'
import { tempDir } from '../helpers/temp-dir'

const BIN = fileURLToPath(new URL('../../bin/flowform.js', import.meta.url))

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // No upstream settings from the developer's shell: this must be the sandbox.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(INFOBIP_|RAPIDPRO_|FLOWFORM_)/.test(k)),
  )
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env, cwd: tempDir('bin'), timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

describe('bin/flowform.js', () => {
  it('lists the sandbox forms as a child process, exit 0', async () => {
    const result = await run(['forms', 'list'])
    expect(result.stderr).toContain('SANDBOX mode')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^ID\s+NAME\s+TYPE\s+STATUS\s+ELEMENTS$/m)
    expect(result.stdout).toContain(`${SANDBOX_SEED.activeFormId}  Company Newsletter`)
    expect(result.stdout).toContain('3 forms.')
  }, 30_000)

  it('answers --help with every command, serve first', async () => {
    const result = await run(['--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Usage:\n {2}flowform serve\n {2}flowform worker\n {2}flowform forms list/)
    expect(result.stdout).toContain('SIGTERM or Ctrl-C stops it')
  }, 30_000)

  it('refuses arguments to worker instead of starting one', async () => {
    const result = await run(['worker', '--now'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('worker takes no arguments (found --now)')
  }, 30_000)

  it('refuses arguments to serve instead of starting a server', async () => {
    const result = await run(['serve', '--port', '80'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('serve takes no arguments (found --port 80)')
  }, 30_000)

  it('exits 2 on a wrong command line', async () => {
    const result = await run(['forms', 'list', '--status', 'LIVE'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--status must be one of')
  }, 30_000)
})
