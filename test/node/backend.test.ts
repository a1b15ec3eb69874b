// useNodeBackend in a real child process (the built package, imported through its exports as a user
// does): after the wasm backend loads, the user's own uncaught errors look as they do without it.
import {execFile} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runModule(source: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', source], {cwd: root, timeout: 60_000}, (error, stdout, stderr) => {
      resolve({code: error === null ? 0 : (error as {code?: number}).code ?? null, stdout, stderr});
    });
  });
}

const listenerCounts = `process.listeners('uncaughtException').length + ' ' + process.listeners('unhandledRejection').length`;

describe('useNodeBackend', {timeout: 60_000}, () => {
  it("after 'wasm', an uncaught throw prints only the script's error and exits 1", async () => {
    const {code, stdout, stderr} = await runModule(`
      import {useNodeBackend} from 'quickdraw-tfjs/node';
      console.log('active ' + await useNodeBackend('wasm') + ', listeners ' + ${listenerCounts});
      throw new Error('my own error');
    `);
    expect(stdout).toBe('active wasm, listeners 0 0\n');
    expect(code).toBe(1);
    expect(stderr).toContain("throw new Error('my own error');\n");
    expect(stderr).toContain('Error: my own error\n    at file://');
    expect(stderr).not.toContain('tfjs-backend-wasm');
    expect(stderr.length).toBeLessThan(500);
  });

  it("after 'wasm', an unhandled rejection is Node's usual one (exit 1)", async () => {
    const {code, stderr} = await runModule(`
      import {useNodeBackend} from 'quickdraw-tfjs/node';
      await useNodeBackend('wasm');
      Promise.reject(new Error('my own rejection'));
    `);
    expect(code).toBe(1);
    expect(stderr).toContain('Error: my own rejection\n    at file://');
    expect(stderr).not.toContain('tfjs-backend-wasm');
  });

  it('keeps the listeners the script had installed, and they still see its errors', async () => {
    const {code, stdout, stderr} = await runModule(`
      import {useNodeBackend} from 'quickdraw-tfjs/node';
      process.on('uncaughtException', (error) => {
        console.log('handled: ' + error.message + ', listeners ' + ${listenerCounts});
        process.exit(3);
      });
      await useNodeBackend('wasm');
      throw new Error('my own error');
    `);
    expect({code, stdout, stderr}).toEqual({code: 3, stdout: 'handled: my own error, listeners 1 0\n', stderr: ''});
  });

  it('keeps listeners that other code adds while the backend loads (only the wasm module\'s two go)', async () => {
    const {code, stdout, stderr} = await runModule(`
      import {useNodeBackend} from 'quickdraw-tfjs/node';
      const loading = useNodeBackend('wasm');
      // Unrelated code registering while useNodeBackend awaits: at once, and from a later macrotask.
      const mine = (error) => {
        console.log('handled: ' + error.message + ', listeners ' + ${listenerCounts});
        process.exit(3);
      };
      process.on('unhandledRejection', function (reason) { console.log('rejection: ' + reason); });
      setImmediate(() => process.on('uncaughtException', mine));
      console.log('active ' + await loading);
      console.log('mine kept: ' + process.listeners('uncaughtException').includes(mine));
      throw new Error('my own error');
    `);
    expect({code, stdout, stderr}).toEqual({code: 3, stdout: 'active wasm\nmine kept: true\nhandled: my own error, listeners 1 1\n', stderr: ''});
  });

  it("'cpu' adds no process listeners either", async () => {
    const {code, stdout} = await runModule(`
      import {useNodeBackend} from 'quickdraw-tfjs/node';
      console.log(await useNodeBackend('cpu') + ' ' + ${listenerCounts});
    `);
    expect({code, stdout}).toEqual({code: 0, stdout: 'cpu 0 0\n'});
  });
});
