// Seals secrets that must be recoverable (JWT private keys, TOTP seeds, access-key
// secrets) with AES-256-GCM under a key derived from the server's master key.
// Optional associated data (AAD) binds a sealed value to where it is stored: it is
// authenticated but not stored, so a value copied to another row fails to open.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface Sealer {
  /** Seals `plaintext`; `associatedData` must be given again, identical, to open it. */
  seal(plaintext: string, associatedData?: string): string;
  /** Opens a sealed value; throws when it was altered or sealed with other associated data or another key. */
  open(sealed: string, associatedData?: string): string;
}

/** Builds a sealer from the master key; `purpose` separates keys for different uses. */
export function createSealer(masterKey: string, purpose = 'open-iam/seal/v1'): Sealer {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), purpose, 32));
  return {
    seal(plaintext, associatedData) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // GCM without AAD is GCM with empty AAD: values sealed before AAD existed still open.
      if (associatedData) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed, associatedData) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('Unrecognised sealed value');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      if (associatedData) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
