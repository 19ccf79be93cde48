/**
 * One UDP exchange with a server, from a chosen local address (127.0.0.x stands for a pod's IP):
 * the reply's bytes, or null when none came within `timeoutMs` (2 s by default).
 */
import { createSocket } from 'node:dgram';

export function exchange(bytes: Uint8Array, port: number, host = '127.0.0.1', from = '127.0.0.1', timeoutMs = 2000): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => { s.close(); resolve(null); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.on('error', (e) => { clearTimeout(t); s.close(); reject(e); });
    s.bind(0, from, () => s.send(bytes, port, host));
  });
}
