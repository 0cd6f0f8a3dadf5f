// JWT signing keys (ES256), kept in the database with their private half sealed.
// Rotation publishes a new key in JWKS before it signs anything, and keeps a
// retired key published until the last token it signed has expired.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { type Clock, systemClock } from '../clock.js';
import type { Db } from '../db/client.js';
import type { Sealer } from '../crypto/seal.js';

export const SIGNING_ALG = 'ES256';

export interface SigningKeyPair {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  activatesAt: Date;
  retiresAt: Date | null;
}

export interface SigningKeyStoreOptions {
  /** How long a new key is published before it signs (lets verifiers refresh their JWKS). */
  publishAheadSeconds: number;
  /** Longest lifetime of any token we sign: a retired key stays published this long. */
  maxTokenSeconds: number;
}

/** Loads, creates and rotates signing keys; `current()` answers the key to sign with now. */
export class SigningKeyStore {
  private keys: SigningKeyPair[] = [];
  private lastReload = 0;
  /** Bumped by every reload, so derived views (the verifier's JWKS) know to rebuild. */
  version = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly sealer: Sealer,
    private readonly options: SigningKeyStoreOptions,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Loads the keys; creates the first one (active at once) on a new database, and
   * starts a rotation when the newest key is older than `maxKeyAgeDays`.
   */
  async init(now = this.clock.now(), maxKeyAgeDays = 30): Promise<void> {
    await this.reload();
    if (this.keys.length === 0) {
      await this.create(now);
      return;
    }
    const newest = this.keys[this.keys.length - 1]!;
    if (now.getTime() - newest.activatesAt.getTime() > maxKeyAgeDays * 86_400_000) await this.rotate(now);
  }

  /**
   * Reloads every `intervalMs`, so keys rotated by another process are published
   * here well before they sign (rotation publishes `publishAheadSeconds` ahead).
   */
  startRefresh(intervalMs = 60_000): void {
    this.timer ??= setInterval(() => void this.reload().catch(() => {}), intervalMs).unref();
  }

  stopRefresh(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reloads when a token names a key this process has not seen, at most every few seconds. */
  async reloadForUnknownKid(kid: string | undefined): Promise<boolean> {
    if (!kid || this.keys.some((k) => k.kid === kid) || this.clock.nowMs() - this.lastReload < 5_000) return false;
    await this.reload();
    return this.keys.some((k) => k.kid === kid);
  }

  async reload(): Promise<void> {
    this.lastReload = this.clock.nowMs();
    this.version++;
    const rows = await this.db.signingKey.findMany({ orderBy: { activatesAt: 'asc' } });
    this.keys = await Promise.all(
      rows.map(async (row) => ({
        kid: row.kid,
        privateKey: (await importJWK(JSON.parse(this.sealer.open(row.sealedPrivate)) as JWK, SIGNING_ALG)) as CryptoKey,
        publicJwk: row.publicJwk as JWK,
        activatesAt: row.activatesAt,
        retiresAt: row.retiresAt,
      })),
    );
  }

  /** The newest key whose activation time has come and that has not retired. */
  current(now = this.clock.now()): SigningKeyPair {
    const usable = this.keys.filter((k) => k.activatesAt <= now && (k.retiresAt === null || k.retiresAt > now));
    const key = usable[usable.length - 1];
    if (!key) throw new Error('No signing key is active');
    return key;
  }

  /** When the key `kid` starts signing. */
  activationOf(kid: string): Date {
    const key = this.keys.find((k) => k.kid === kid);
    if (!key) throw new Error(`Unknown signing key ${kid}`);
    return key.activatesAt;
  }

  /** Public keys to publish: every key not retired longer ago than a token's lifetime. */
  publicKeys(now = this.clock.now()): JWK[] {
    const horizon = now.getTime() - this.options.maxTokenSeconds * 1000;
    return this.keys
      .filter((k) => k.retiresAt === null || k.retiresAt.getTime() > horizon)
      .map((k) => ({ ...k.publicJwk, kid: k.kid, alg: SIGNING_ALG, use: 'sig' }));
  }

  /**
   * Starts a rotation: a new key is published now and signs from `publishAheadSeconds`
   * on; the keys before it retire at that instant.
   */
  async rotate(now = this.clock.now()): Promise<string> {
    const activatesAt = new Date(now.getTime() + this.options.publishAheadSeconds * 1000);
    const kid = await this.create(activatesAt);
    await this.db.signingKey.updateMany({
      where: { kid: { not: kid }, OR: [{ retiresAt: null }, { retiresAt: { gt: activatesAt } }] },
      data: { retiresAt: activatesAt },
    });
    await this.reload();
    return kid;
  }

  private async create(activatesAt: Date): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
    const kid = randomUUID();
    await this.db.signingKey.create({
      data: {
        kid,
        alg: SIGNING_ALG,
        publicJwk: (await exportJWK(publicKey)) as object,
        sealedPrivate: this.sealer.seal(JSON.stringify(await exportJWK(privateKey))),
        activatesAt,
      },
    });
    await this.reload();
    return kid;
  }
}
