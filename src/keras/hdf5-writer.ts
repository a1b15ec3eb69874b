// A small HDF5 writer: groups, float32 datasets and fixed-length string attributes, in the layout the
// HDF5 library writes by default (superblock version 0, version 1 object headers, symbol-table groups
// with a local heap, a one-level group B-tree and symbol table nodes, contiguous data). Enough for a
// Keras weights file; written from the HDF5 file format specification.
import {KerasError} from './errors.js';

/** A fixed-length string attribute: one string or an array of them. */
export type StringAttribute = string | readonly string[];

/** A float32 dataset to write. */
export interface DatasetSpec {
  readonly shape: readonly number[];
  readonly values: Float32Array;
  readonly attrs?: Readonly<Record<string, StringAttribute>>;
}

/** A group to write: its children by name and its attributes. */
export interface GroupSpec {
  readonly children: ReadonlyMap<string, GroupSpec | DatasetSpec>;
  readonly attrs?: Readonly<Record<string, StringAttribute>>;
}

const UNDEF = 0xffffffffffffffffn;
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** Group leaf node K (a symbol table node holds up to 2K entries) and group internal node K (a B-tree node up to 2K children). */
const LEAF_K = 8;
const INTERNAL_K = 16;
const ENTRY_BYTES = 40;
const SNOD_BYTES = 8 + 2 * LEAF_K * ENTRY_BYTES;
const BTREE_BYTES = 24 + 2 * INTERNAL_K * 8 + (2 * INTERNAL_K + 1) * 8;
/** The largest object header message (its size field has 16 bits). */
export const MAX_MESSAGE_BYTES = 65535;

const encoder = new TextEncoder();

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/** Little-endian byte building. */
class Bytes {
  private buf = new Uint8Array(256);
  length = 0;

  private grow(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  u8(v: number): this {
    this.grow(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  u64(v: number | bigint): this {
    const b = BigInt(v);
    return this.u32(Number(b & 0xffffffffn)).u32(Number((b >> 32n) & 0xffffffffn));
  }
  bytes(data: Uint8Array): this {
    this.grow(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
    return this;
  }
  zeros(n: number): this {
    this.grow(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }
  align8(): this {
    return this.zeros(pad8(this.length) - this.length);
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** The file being written: chunks appended at 8-byte aligned addresses. */
class FileBytes {
  readonly out = new Bytes();

  /** Appends `data` at the next 8-byte boundary and returns its address. */
  put(data: Uint8Array): number {
    this.out.align8();
    const at = this.out.length;
    this.out.bytes(data);
    return at;
  }
}

function message(type: number, data: Uint8Array): Uint8Array {
  if (pad8(data.length) > MAX_MESSAGE_BYTES) {
    throw new KerasError('unsupported-config', `hdf5 writer: a header message of ${data.length} bytes exceeds the ${MAX_MESSAGE_BYTES}-byte limit`);
  }
  const size = pad8(data.length);
  return new Bytes().u16(type).u16(size).u8(0).zeros(3).bytes(data).zeros(size - data.length).done();
}

function objectHeader(messages: Uint8Array[]): Uint8Array {
  const size = messages.reduce((n, m) => n + m.length, 0);
  const b = new Bytes().u8(1).u8(0).u16(messages.length).u32(1).u32(size).zeros(4);
  for (const m of messages) b.bytes(m);
  return b.done();
}

function dataspace(shape: readonly number[]): Uint8Array {
  const b = new Bytes().u8(1).u8(shape.length).u8(0).u8(0).u32(0);
  for (const d of shape) b.u64(d);
  return b.done();
}

function float32Type(): Uint8Array {
  // Class 1 (floating point), version 1; little-endian, implied msb; sign bit 31; IEEE single layout.
  return new Bytes().u8(0x11).u8(0x20).u8(31).u8(0).u32(4).u16(0).u16(32).u8(23).u8(8).u8(0).u8(23).u32(127).done();
}

function stringType(size: number): Uint8Array {
  // Class 3 (string), version 1; null-padded, UTF-8 (as numpy's fixed-length bytes are stored).
  return new Bytes().u8(0x13).u8(0x01 | (1 << 4)).u8(0).u8(0).u32(size).done();
}

function attributeMessage(name: string, value: StringAttribute): Uint8Array {
  const items = (typeof value === 'string' ? [value] : [...value]).map((s) => encoder.encode(s));
  const size = Math.max(1, ...items.map((s) => s.length));
  const nameBytes = encoder.encode(name);
  const type = stringType(size);
  const space = dataspace(typeof value === 'string' ? [] : [items.length]);
  const b = new Bytes()
    .u8(1)
    .u8(0)
    .u16(nameBytes.length + 1)
    .u16(type.length)
    .u16(space.length);
  b.bytes(nameBytes).u8(0).align8();
  b.bytes(type).zeros(pad8(type.length) - type.length);
  b.bytes(space).zeros(pad8(space.length) - space.length);
  for (const item of items) b.bytes(item).zeros(size - item.length);
  return message(0x000c, b.done());
}

function attributeMessages(attrs: Readonly<Record<string, StringAttribute>> | undefined): Uint8Array[] {
  return Object.entries(attrs ?? {}).map(([name, value]) => attributeMessage(name, value));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function isDataset(node: GroupSpec | DatasetSpec): node is DatasetSpec {
  return (node as DatasetSpec).values !== undefined;
}

function writeDataset(file: FileBytes, spec: DatasetSpec): number {
  const size = spec.values.length * 4;
  const expected = spec.shape.reduce((a, b) => a * b, 1);
  if (expected !== spec.values.length) {
    throw new KerasError('unsupported-config', `hdf5 writer: ${spec.values.length} values for shape [${spec.shape.join(', ')}]`);
  }
  const data = new Uint8Array(size);
  const view = new DataView(data.buffer);
  for (let i = 0; i < spec.values.length; i++) view.setFloat32(i * 4, spec.values[i]!, true);
  const address = size === 0 ? UNDEF : BigInt(file.put(data));
  const fill = new Bytes().u8(2).u8(1).u8(2).u8(0).done();
  const layout = new Bytes().u8(3).u8(1).u64(address).u64(size).done();
  return file.put(
    objectHeader([message(0x0001, dataspace(spec.shape)), message(0x0003, float32Type()), message(0x0005, fill), message(0x0008, layout), ...attributeMessages(spec.attrs)]),
  );
}

/** Writes a group (children first) and returns the address of its object header and its B-tree and heap. */
function writeGroup(file: FileBytes, spec: GroupSpec): {header: number; btree: number; heap: number} {
  const entries = [...spec.children.entries()].map(([name, child]) => {
    if (name === '' || name.includes('/')) throw new KerasError('unsupported-config', `hdf5 writer: invalid link name '${name}'`);
    const header = isDataset(child) ? writeDataset(file, child) : writeGroup(file, child).header;
    return {name: encoder.encode(name), header};
  });
  entries.sort((a, b) => compareBytes(a.name, b.name));
  if (entries.length > 2 * LEAF_K * 2 * INTERNAL_K) {
    throw new KerasError('unsupported-config', `hdf5 writer: a group of ${entries.length} members exceeds the ${2 * LEAF_K * 2 * INTERNAL_K} this writer supports`);
  }
  // Local heap: offset 0 is the empty string, then each name, null-terminated, 8-byte aligned.
  const heapData = new Bytes().zeros(8);
  const offsets = entries.map((e) => {
    const at = heapData.length;
    heapData.bytes(e.name).u8(0).align8();
    return at;
  });
  const heapSegment = file.put(heapData.done());
  const heap = file.put(new Bytes().bytes(encoder.encode('HEAP')).u8(0).zeros(3).u64(heapData.length).u64(1).u64(heapSegment).done());
  // Symbol table nodes of up to 2 * LEAF_K entries, then one B-tree node pointing at them.
  const nodes: {address: number; lastOffset: number}[] = [];
  for (let start = 0; start < entries.length; start += 2 * LEAF_K) {
    const slice = entries.slice(start, start + 2 * LEAF_K);
    const b = new Bytes().bytes(encoder.encode('SNOD')).u8(1).u8(0).u16(slice.length);
    slice.forEach((e, i) => {
      b.u64(offsets[start + i]!).u64(e.header).u32(0).u32(0).zeros(16);
    });
    b.zeros(SNOD_BYTES - b.length);
    nodes.push({address: file.put(b.done()), lastOffset: offsets[start + slice.length - 1]!});
  }
  const tree = new Bytes().bytes(encoder.encode('TREE')).u8(0).u8(0).u16(nodes.length).u64(UNDEF).u64(UNDEF).u64(0);
  for (const node of nodes) tree.u64(node.address).u64(node.lastOffset);
  tree.zeros(BTREE_BYTES - tree.length);
  const btree = file.put(tree.done());
  const symbolTable = new Bytes().u64(btree).u64(heap).done();
  const header = file.put(objectHeader([message(0x0011, symbolTable), ...attributeMessages(spec.attrs)]));
  return {header, btree, heap};
}

/**
 * Writes an HDF5 file holding `root` (groups, float32 datasets, fixed-length string attributes).
 * Throws `KerasError` (`unsupported-config`) for a name with `/`, a header message over 64 KiB (an
 * attribute that large must be split, as Keras splits `layer_names`) or a group over 8,192 members.
 */
export function writeHdf5(root: GroupSpec): Uint8Array {
  const file = new FileBytes();
  file.out.zeros(96); // the superblock, written last
  const {header, btree, heap} = writeGroup(file, root);
  file.out.align8();
  const bytes = file.out.done();
  const superblock = new Bytes()
    .bytes(Uint8Array.from(SIGNATURE))
    .u8(0)
    .u8(0)
    .u8(0)
    .u8(0)
    .u8(0)
    .u8(8)
    .u8(8)
    .u8(0)
    .u16(LEAF_K)
    .u16(INTERNAL_K)
    .u32(0)
    .u64(0)
    .u64(UNDEF)
    .u64(bytes.length)
    .u64(UNDEF)
    // Root group symbol table entry: name offset, header address, cache type 1 with B-tree and heap.
    .u64(0)
    .u64(header)
    .u32(1)
    .u32(0)
    .u64(btree)
    .u64(heap)
    .done();
  bytes.set(superblock, 0);
  return bytes;
}
