// A kubeconfig file for the fake apiserver, for `--kubeconfig`/KUBECONFIG or
// KubeConfig.loadFromFile. The server is plain http, which
// @kubernetes/client-node 1.x refuses ("HTTP protocol is not allowed when
// skipTLSVerify is not set or false", config.js createAgent) unless the
// cluster sets insecure-skip-tls-verify.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeconfigOptions {
  /** e.g. http://127.0.0.1:PORT (FakeApiServer.url). */
  readonly server: string;
  readonly token: string;
  /** The context's namespace (default 'default'). */
  readonly namespace?: string;
  /** Directory to write into (default: a new temporary directory). */
  readonly dir?: string;
}

/** Writes the kubeconfig and returns its path; remove it with removeKubeconfig(). */
export function writeKubeconfig(options: KubeconfigOptions): string {
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'gatehouse-kubeconfig-'));
  const file = path.join(dir, 'kubeconfig.yaml');
  // JSON strings are valid YAML scalars: no quoting questions for the values.
  const q = (value: string): string => JSON.stringify(value);
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    `    server: ${q(options.server)}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: gatehouse',
    '  user:',
    `    token: ${q(options.token)}`,
    'contexts:',
    '- name: fake',
    '  context:',
    '    cluster: fake',
    '    user: gatehouse',
    `    namespace: ${q(options.namespace ?? 'default')}`,
    'current-context: fake',
    '',
  ].join('\n');
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** Removes a file written by writeKubeconfig, with its temporary directory. */
export function removeKubeconfig(file: string): void {
  if (path.basename(path.dirname(file)).startsWith('gatehouse-kubeconfig-')) rmSync(path.dirname(file), { recursive: true, force: true });
  else rmSync(file, { force: true });
}

/** A KubeConfig loaded from such a file (what the gateway does with --kubeconfig). */
export function loadKubeConfig(file: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(file);
  return config;
}
