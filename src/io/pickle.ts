// A small, safe pickle reader: enough of the protocol (0-5 opcodes PyTorch checkpoints use) to read a
// state_dict, with no code execution. Python globals stay inert descriptors; REDUCE, NEWOBJ and persistent
// ids go to hooks that the caller (io/pth.ts) defines for the few callables it knows (tensor rebuilds,
// OrderedDict), and anything else is a PyCall value the caller can reject by name.
import { CritError } from '../util/errors.js';

export interface PyGlobal { kind: 'global'; module: string; name: string }
/** A call the hooks did not resolve: the callable and its arguments. */
export interface PyCall { kind: 'call'; fn: unknown; args: unknown[]; state?: unknown }

export interface PickleHooks {
  /** REDUCE / NEWOBJ of `fn` with `args`; return undefined to keep a PyCall. */
  call?(fn: PyGlobal, args: unknown[]): unknown;
  /** BINPERSID / PERSID. */
  persistentLoad?(pid: unknown): unknown;
}

export const isGlobal = (v: unknown, module?: string, name?: string): v is PyGlobal =>
  typeof v === 'object' && v !== null && (v as PyGlobal).kind === 'global' && (module === undefined || (v as PyGlobal).module === module) && (name === undefined || (v as PyGlobal).name === name);

const MARK = Symbol('mark');

/** Unpickles `bytes`; `source` names the file in errors. Dicts become Maps, tuples and lists arrays. */
export function unpickle(bytes: Uint8Array, source: string, hooks: PickleHooks = {}): unknown {
  return unpickleAt(bytes, 0, source, hooks).value;
}

/** Unpickles the pickle that starts at `offset`; `end` is the byte after its STOP (files may hold several). */
export function unpickleAt(bytes: Uint8Array, offset: number, source: string, hooks: PickleHooks = {}): { value: unknown; end: number } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const latin1 = new TextDecoder('latin1'), utf8 = new TextDecoder();
  let p = offset;
  const need = (n: number) => { if (p + n > bytes.length) throw new CritError(`${source}: pickle data ends early (at byte ${p}, needs ${n} more): truncated file`); };
  const u8 = () => { need(1); return bytes[p++]; };
  const u16 = () => { need(2); const r = v.getUint16(p, true); p += 2; return r; };
  const u32 = () => { need(4); const r = v.getUint32(p, true); p += 4; return r; };
  const take = (n: number) => { need(n); const r = bytes.subarray(p, p + n); p += n; return r; };
  const line = () => { const e = bytes.indexOf(0x0a, p); if (e < 0) throw new CritError(`${source}: pickle text field without end of line`); const s = latin1.decode(bytes.subarray(p, e)); p = e + 1; return s; };
  const pop = () => { if (!stack.length) throw new CritError(`${source}: corrupt pickle (stack underflow at byte ${p})`); return stack.pop(); };
  const popMark = (): unknown[] => {
    const k = stack.lastIndexOf(MARK);
    if (k < 0) throw new CritError(`${source}: corrupt pickle (no mark at byte ${p})`);
    const items = stack.splice(k + 1);
    stack.pop();
    return items;
  };
  const call = (fn: unknown, args: unknown[]): unknown => {
    if (isGlobal(fn)) {
      const r = hooks.call?.(fn, args);
      if (r !== undefined) return r;
    }
    return { kind: 'call', fn, args } satisfies PyCall;
  };
  const setItems = (d: unknown, items: unknown[]) => {
    if (!(d instanceof Map)) throw new CritError(`${source}: corrupt pickle (SETITEMS on a non-dict)`);
    for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]);
  };
  const longLE = (b: Uint8Array): number => {
    if (b.length === 0) return 0;
    let x = 0n;
    for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
    if (b[b.length - 1] & 0x80) x -= 1n << BigInt(8 * b.length);
    return Number(x);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: take(8); break; // FRAME (proto 4): the frame length, nothing to do
      case 0x2e: return { value: pop(), end: p }; // STOP
      case 0x28: stack.push(MARK); break;
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: { need(4); stack.push(v.getInt32(p, true)); p += 4; break; } // BININT
      case 0x8a: stack.push(longLE(take(u8()))); break; // LONG1
      case 0x8b: stack.push(longLE(take(u32()))); break; // LONG4
      case 0x47: { need(8); stack.push(v.getFloat64(p, false)); p += 8; break; } // BINFLOAT
      case 0x49: { const s = line(); stack.push(s === '01' ? true : s === '00' ? false : Number(s)); break; } // INT
      case 0x4c: stack.push(Number(line().replace(/L$/, ''))); break; // LONG
      case 0x58: stack.push(utf8.decode(take(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(utf8.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: { need(8); const n = Number(v.getBigUint64(p, true)); p += 8; stack.push(utf8.decode(take(n))); break; } // BINUNICODE8
      case 0x54: stack.push(latin1.decode(take(u32()))); break; // BINSTRING
      case 0x55: stack.push(latin1.decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x71: memo.set(u8(), stack[stack.length - 1]); break; // BINPUT
      case 0x72: memo.set(u32(), stack[stack.length - 1]); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, stack[stack.length - 1]); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) throw new CritError(`${source}: corrupt pickle (memo ${k} unset)`);
        stack.push(memo.get(k));
        break;
      }
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(), a = pop(); stack.push([a, b]); break; }
      case 0x87: { const c = pop(), b = pop(), a = pop(); stack.push([a, b, c]); break; }
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x64: { const items = popMark(); const d = new Map(); setItems(d, items); stack.push(d); break; } // DICT
      case 0x61: { const x = pop(); (stack[stack.length - 1] as unknown[]).push(x); break; } // APPEND
      case 0x65: { const items = popMark(); (stack[stack.length - 1] as unknown[]).push(...items); break; } // APPENDS
      case 0x73: { const val = pop(), key = pop(); setItems(stack[stack.length - 1], [key, val]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(stack[stack.length - 1], items); break; } // SETITEMS
      case 0x63: { const module = line(), name = line(); stack.push({ kind: 'global', module, name } satisfies PyGlobal); break; } // GLOBAL
      case 0x93: { const name = pop() as string, module = pop() as string; stack.push({ kind: 'global', module, name } satisfies PyGlobal); break; } // STACK_GLOBAL
      case 0x52: { const args = pop() as unknown[], fn = pop(); stack.push(call(fn, args)); break; } // REDUCE
      case 0x81: { const args = pop() as unknown[], cls = pop(); stack.push(call(cls, args)); break; } // NEWOBJ
      case 0x62: { // BUILD: state for the object below; dicts (OrderedDict's _metadata) ignore it
        const state = pop(), obj = stack[stack.length - 1];
        if (obj && typeof obj === 'object' && !(obj instanceof Map) && (obj as PyCall).kind === 'call') (obj as PyCall).state = state;
        break;
      }
      case 0x51: stack.push(hooks.persistentLoad ? hooks.persistentLoad(pop()) : pop()); break; // BINPERSID
      case 0x50: { const pid = line(); stack.push(hooks.persistentLoad ? hooks.persistentLoad(pid) : pid); break; } // PERSID
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(stack[stack.length - 1]); break; // DUP
      default:
        throw new CritError(`${source}: pickle opcode 0x${op.toString(16)} at byte ${p - 1} is not supported (a state_dict of tensors needs none of it)`);
    }
  }
}
