/**
 * A generated case as a request (what RunContext.send sends) and as a `curl` command a developer
 * can paste: every key in it is an env var (`$INKLINK_ADMIN_KEY`), a near miss of a key the shell
 * expression that makes it from that var, so that no key is ever printed in clear.
 */
import { API_KEY_HEADER } from '../../../core/inklink';
import { keyVar } from '../report';
import { buildRequest, type RequestParts } from '../requests';
import {
  applyEdit,
  bodyOf,
  describeKey,
  idOf,
  type CaseValues,
  type Edit,
  type GeneratedCase,
  type KeyRole,
  type OperationModel,
} from './cases';

export interface CaseRequest {
  parts: RequestParts;
  /** The api-key header (undefined: none). */
  apiKey?: string;
  /** Who the report says is calling: never the key itself. */
  keyLabel: string;
  headers: Record<string, string>;
  /** A query string (without `?`), when the case sends a key there. */
  query?: string;
}

const ROLE_LABEL: Record<KeyRole, string> = {
  admin: 'admin key',
  member: 'member key',
  otherOrg: "other organization's key",
};

const keyOf = (role: KeyRole, v: CaseValues): string => {
  const k = v.keys[role];
  if (k === undefined) throw new Error(`a generated case uses the ${ROLE_LABEL[role]}, which the run was not given`);
  return k;
};

export function requestOf(c: GeneratedCase, op: OperationModel, v: CaseValues): CaseRequest {
  const headers: Record<string, string> = {};
  const parts: RequestParts = {};
  const endpointId = idOf(c, v);
  if (endpointId !== undefined) parts.endpointId = endpointId;
  if (c.body && op.body) {
    const { text, contentType } = bodyOf(c.body, op.body, v);
    if (text !== undefined) {
      parts.body = text;
      if (contentType) headers['content-type'] = contentType;
    }
  }
  const out: CaseRequest = { parts, headers, keyLabel: describeKey(c.key) };
  const k = c.key;
  if (k.kind === 'valid') Object.assign(out, { apiKey: keyOf(k.role, v), keyLabel: ROLE_LABEL[k.role] });
  else if (k.kind === 'literal') out.apiKey = k.value;
  else if (k.kind === 'near') out.apiKey = applyEdit(keyOf(k.role, v), k.edit);
  else if (k.kind === 'elsewhere') {
    const key = keyOf(k.role, v);
    if (k.where.startsWith('query ')) out.query = `${k.where.slice(6)}=${encodeURIComponent(key)}`;
    else if (k.where === 'Authorization: Bearer') headers.authorization = `Bearer ${key}`;
    else headers[k.where.toLowerCase()] = key;
  }
  return out;
}

/** A shell word for exact bytes: `'…'`, or `$'…'` with escapes when it has bytes a plain quote cannot hold. */
export function shellQuote(s: string, encoding: 'utf8' | 'latin1' = 'utf8'): string {
  if (/^[\x20-\x7e]*$/.test(s) && !s.includes("'")) return `'${s}'`;
  let out = '';
  for (const b of Buffer.from(s, encoding)) {
    const ch = String.fromCharCode(b);
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (b >= 0x20 && b <= 0x7e) out += ch;
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `$'${out}'`;
}

/** The shell expression of a key (or a near miss of it) from its env var: bash, with the key never in it. */
export function keyExpression(role: KeyRole, edit?: Edit): string {
  const n = keyVar(ROLE_LABEL[role]);
  const swapped = (of: string) => `"$(printf %s "${of}" | tr a-zA-Z A-Za-z)"`;
  if (!edit) return `"$${n}"`;
  switch (edit.op) {
    case 'swapcase':
      return swapped(`$${n}`);
    case 'swapcaseAt':
      return `"\${${n}:0:${edit.at}}"${swapped(`\${${n}:${edit.at}:1}`)}"\${${n}:${edit.at + 1}}"`;
    case 'cut':
      return `"\${${n}:0:${edit.keep}}"`;
    case 'extend':
      return `"$${n}"${shellQuote(edit.add)}`;
    case 'replaceAt':
      return `"\${${n}:0:${edit.at}}"${shellQuote(edit.with)}"\${${n}:${edit.at + 1}}"`;
    case 'prefix':
      return `${shellQuote(edit.add)}"$${n}"`;
    case 'double':
      return `"$${n}$${n}"`;
  }
}

/**
 * The curl command that sends a case again (`url`: the request's URL without its query), the
 * shell words of its api key built from env vars.
 */
export function curlOf(c: GeneratedCase, op: OperationModel, v: CaseValues, url: string): string {
  const req = requestOf(c, op, v);
  const { method } = buildRequest(c.operationId, req.parts);
  const k = c.key;
  let target = shellQuote(url);
  if (k.kind === 'elsewhere' && req.query !== undefined)
    target += `${shellQuote(`?${req.query.split('=')[0]}=`)}${keyExpression(k.role)}`;
  const words = ['curl', '-i', '-X', method, target];
  const header = (name: string, value: string) => words.push('-H', `${shellQuote(`${name}: `, 'latin1')}${value}`);
  if (k.kind === 'valid') header(API_KEY_HEADER, keyExpression(k.role));
  else if (k.kind === 'near') header(API_KEY_HEADER, keyExpression(k.role, k.edit));
  else if (k.kind === 'literal') header(API_KEY_HEADER, shellQuote(k.value, 'latin1'));
  else if (k.kind === 'elsewhere' && req.query === undefined) {
    const name = k.where === 'Authorization: Bearer' ? 'authorization' : k.where.toLowerCase();
    header(name, k.where === 'Authorization: Bearer' ? `'Bearer '${keyExpression(k.role)}` : keyExpression(k.role));
  }
  if (req.headers['content-type']) header('content-type', shellQuote(req.headers['content-type']));
  if (typeof req.parts.body === 'string') words.push('--data-binary', shellQuote(req.parts.body));
  return words.join(' ');
}
