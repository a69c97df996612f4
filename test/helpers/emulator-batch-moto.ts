/**
 * moto's S3 (`moto_server`, in the machine image) on a free loopback port, for tests that check
 * the emulator against an S3 nobody on the team wrote. A missing `moto_server` fails the test
 * that needs it with a message saying so; it never skips.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from './free-port.js';

export interface Moto {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(
        new Error(
          `moto_server could not start (is it installed? pip install 'moto[server]'): ${error.message}`,
        ),
      ),
    );
    child.once('exit', (code) => reject(new Error(`moto_server exited with code ${code}: ${stderr}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 300; i++) {
      try {
        const response = await fetch(`${url}/moto-api/`);
        await response.arrayBuffer();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`moto_server did not answer on ${url} within 30 s: ${stderr}`);
  })();
  try {
    await Promise.race([ready, exited]);
  } catch (error) {
    child.kill();
    throw error;
  }
  exited.catch(() => undefined);
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
