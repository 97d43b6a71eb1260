// The real `parley` command, spawned as an operator runs it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// This file runs as dist/test/support/cli.js: the repository root is three levels up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../../bin/parley.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `parley ...args` with a clean PARLEY_* environment (plus `env`), feeding `stdin` if given; `node`: another Node binary. */
export function parley(
  args: string[],
  options: { stdin?: string; env?: Record<string, string>; timeoutMs?: number; node?: string } = {},
): Promise<Run> {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PARLEY_')));
  Object.assign(env, { PARLEY_LOG_LEVEL: 'silent' }, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`parley ${args.join(' ')} did not exit; stdout: ${stdout} stderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the CLI may exit before reading stdin
    child.stdin.end(options.stdin ?? '');
  });
}
