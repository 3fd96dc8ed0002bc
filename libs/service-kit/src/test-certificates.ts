import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Certificates made at test time with the openssl binary (never committed): a CA and leaf
// certificates it signs, valid for 127.0.0.1, ::1 and localhost, usable as server and client.

export interface TestCertificate {
  certFile: string;
  keyFile: string;
}

export interface TestCa {
  /** The CA's certificate (what clients and mTLS servers trust). */
  caFile: string;
  /** A new leaf certificate signed by this CA (in the same folder, named `name`). */
  issue(name: string): TestCertificate;
}

export interface TestPki {
  dir: string;
  /** A new CA in the folder. */
  createCa(name: string): TestCa;
  /** Removes the folder and everything in it. */
  remove(): void;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A temporary folder where CAs and certificates are made with openssl (P-256 keys: quick to generate). */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'conjugate-pki-'));
  return {
    dir,
    createCa(caName) {
      const caFile = join(dir, `${caName}.pem`);
      const caKey = join(dir, `${caName}-key.pem`);
      openssl(['req', '-x509', ...EC_KEY, '-keyout', caKey, '-out', caFile, '-days', '2', '-subj', `/CN=${caName}`,
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
      return {
        caFile,
        issue(name) {
          const keyFile = join(dir, `${name}-key.pem`);
          const certFile = join(dir, `${name}.pem`);
          const csr = join(dir, `${name}.csr`);
          const extensions = join(dir, `${name}.ext`);
          writeFileSync(extensions, [
            'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
            'extendedKeyUsage=serverAuth,clientAuth',
            'basicConstraints=CA:FALSE',
          ].join('\n') + '\n');
          openssl(['req', '-new', ...EC_KEY, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`]);
          openssl(['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', extensions]);
          return { certFile, keyFile };
        },
      };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
