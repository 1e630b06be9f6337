// Proxy instances as separate Node processes (`node --import tsx proxy/main.ts`, what `flowform
// serve` runs), for the many-instances test and benchmark: each on a free loopback port, killed at
// the end of the file if still running.
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import { freePort, until } from './waiting'

export { freePort }

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface Instance {
  url: string
  child: ChildProcess
  output: () => string
  /** Peak resident set size reported by /proc while it ran (Linux), in bytes. */
  peakRss: () => number
}

/** Starts one instance with `env` and waits (bounded) until it answers /healthz. */
export async function startInstance(
  env: Record<string, string>,
  entry = 'proxy/main.ts',
  timeoutMs = 30_000,
): Promise<Instance> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let text = ''
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()))
  let peak = 0
  const { readFileSync } = await import('node:fs')
  const sample = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
      peak = Math.max(peak, kb * 1024)
    } catch {
      // gone
    }
  }, 200)
  child.once('exit', () => clearInterval(sample))
  const url = `http://127.0.0.1:${port}`
  const answers = async (): Promise<boolean> => {
    if (child.exitCode !== null) {
      throw new Error(`instance exited with ${child.exitCode}:\n${text}`)
    }
    return fetch(`${url}/healthz`).then(
      (res) => res.ok,
      () => false, // not yet listening
    )
  }
  await until(answers, timeoutMs, 'the instance to answer /healthz', 100).catch((error: unknown) => {
    child.kill('SIGKILL')
    throw new Error(`${error instanceof Error ? error.message : String(error)}:\n${text}`)
  })
  return { url, child, output: () => text, peakRss: () => peak }
}

/** SIGTERM (or `signal`), then waits for the exit (bounded; SIGKILL after). */
export async function stopInstance(instance: Instance, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const { child } = instance
  if (child.exitCode !== null || child.signalCode !== null) {
    return
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(timer)
}
