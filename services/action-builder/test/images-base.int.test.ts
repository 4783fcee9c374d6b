// infra/images/build-base.sh on the real Docker engine: the same machine gives the same base
// (the tag is the layer's digest, and the layer is the engine's diffID), and a container of it
// runs node and Python's ssl and urllib as uid 10001 on a read-only root file system.
import { describe, expect, it } from 'vitest';
import { buildBase, docker } from './images-support.js';

describe('infra/images/build-base.sh', () => {
  it('gives the same tag twice, the digest of its one layer, and imports only the first time', async () => {
    const first = await buildBase();
    const second = await buildBase();
    expect(first.reference).toMatch(/^trellis\/action-base:[0-9a-f]{12}$/);
    expect(second.reference).toBe(first.reference);
    expect(second.stderr).toContain('exists already');
    const engine = docker();
    const [tagged, latest] = await Promise.all([engine.getImage(first.reference).inspect(), engine.getImage('trellis/action-base:latest').inspect()]);
    expect(latest.Id).toBe(tagged.Id);
    expect(tagged.RootFS.Layers).toHaveLength(1);
    expect(tagged.RootFS.Layers?.[0]?.slice('sha256:'.length, 'sha256:'.length + 12)).toBe(first.reference.split(':')[1]);
    expect(tagged.Architecture).toBe('amd64');
  }, 240_000);

  it('runs node and python3 (json, ssl, urllib.request) as uid 10001 on a read-only root, /tmp writable', async () => {
    const { reference } = await buildBase();
    const engine = docker();
    const outputs: string[] = [];
    for (const command of [
      ['node', '-e', 'process.stdout.write(`node ${process.version} uid ${process.getuid()}\\n`)'],
      ['python3', '-c', 'import json, ssl, urllib.request, os; print("python", ssl.OPENSSL_VERSION.split()[1], "uid", os.getuid(), len(ssl.create_default_context().get_ca_certs()) > 0)'],
      ['python', '-c', 'import sys, tempfile; tempfile.NamedTemporaryFile(dir="/tmp").write(b"x"); print(sys.version_info[:2] == (3, 11))'],
    ]) {
      // /tmp as the sites give it: a tmpfs, which takes the mode of the image's /tmp (1777).
      const container = await engine.createContainer({ Image: reference, Cmd: command, User: '10001:10001', HostConfig: { ReadonlyRootfs: true, Tmpfs: { '/tmp': '' } } });
      try {
        await container.start();
        const exit = (await container.wait()) as { StatusCode: number };
        const logs = String(await container.logs({ stdout: true, stderr: true }));
        expect(exit.StatusCode, logs).toBe(0);
        outputs.push(logs);
      } finally {
        await container.remove({ force: true });
      }
    }
    expect(outputs[0]).toMatch(/node v20\.\d+\.\d+ uid 10001/);
    expect(outputs[1]).toMatch(/python 3\.\d+\.\d+ uid 10001 True/);
    expect(outputs[2]).toContain('True');
  }, 120_000);
});
