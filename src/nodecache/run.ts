/**
 * Running `ip` and `iptables`: the real commands through execFile (no shell), or, in unit tests,
 * a fake that records the command lines and answers from a script.
 */
import { execFile } from 'node:child_process';
import type { Command } from './rules.ts';

export interface CommandResult {
  /** The exit status; 127 when the command could not be started (not installed). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type Runner = (command: Command) => Promise<CommandResult>;

/** Runs the command with a 30-second limit; never rejects: failures are in `code` and `stderr`. */
export const execRunner: Runner = (command) => new Promise((resolve) => {
  const [file, ...args] = command;
  execFile(file!, args, { timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
    if (error === null) { resolve({ code: 0, stdout, stderr }); return; }
    const e = error as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
    if (e.code === 'ENOENT') { resolve({ code: 127, stdout, stderr: `${file}: command not found` }); return; }
    if (e.killed === true) { resolve({ code: 124, stdout, stderr: `${file}: timed out after 30 s` }); return; }
    resolve({ code: typeof e.code === 'number' ? e.code : 1, stdout, stderr: stderr || e.message });
  });
});

/** The command as typed in a shell (for logs and errors). */
export function commandText(command: Command): string {
  return command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');
}
