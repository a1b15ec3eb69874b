// The dataset viewer: streams a TFRecord of Quick, Draw! Examples (from a File or a URL, gzip or not),
// decodes each record and shows a grid of the sketches with their labels and a histogram of their lengths.
import {decodeExample} from 'quickdraw-tfjs/example';
import {type Ink, inkLength, lengthHistogramSvg, sketchToSvg} from 'quickdraw-tfjs/sketch';
import {readRecords} from 'quickdraw-tfjs/tfrecord';

/** One decoded sketch of the file. */
export interface ViewedSketch {
  readonly ink: Ink;
  readonly classIndex: number | null;
}

export interface ViewerElements {
  readonly status: HTMLElement;
  readonly grid: HTMLElement;
  readonly histogram: HTMLElement;
}

/** An SVG string shown as an image: an `<img>` never runs scripts, whatever the text holds. */
function svgImage(svg: string, alt: string): HTMLImageElement {
  const img = document.createElement('img');
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  img.alt = alt;
  return img;
}

/** Reads the `ink` and `class_index` features of one serialized Example. */
function sketchOf(record: Uint8Array, index: number): ViewedSketch {
  const features = decodeExample(record);
  const ink = features['ink'];
  if (ink === undefined || ink.kind !== 'float') {
    throw new Error(`record ${index}: no float feature 'ink' (is this a Quick, Draw! TFRecord?)`);
  }
  const label = features['class_index'];
  const classIndex = label !== undefined && label.kind === 'int64' && label.values.length > 0 ? label.values.get(0).toNumber() : null;
  return {ink: ink.values, classIndex};
}

export class DatasetViewer {
  readonly #el: ViewerElements;
  #modelNames: readonly string[] = [];
  #fileNames: readonly string[] | null = null;
  #sketches: ViewedSketch[] = [];
  #run = 0;
  #shown = 0;

  constructor(elements: ViewerElements) {
    this.#el = elements;
  }

  /** Class names from the model: used until a `.classes` file is loaded. */
  setModelClassNames(names: readonly string[]): void {
    this.#modelNames = names;
    this.#relabel();
  }

  /** Class names from a `.classes` file: they take precedence over the model's. */
  setFileClassNames(names: readonly string[]): void {
    this.#fileNames = names;
    this.#relabel();
  }

  labelOf(s: ViewedSketch): string {
    if (s.classIndex === null) return '(no label)';
    const names = this.#fileNames ?? this.#modelNames;
    return names[s.classIndex] ?? `class ${s.classIndex}`;
  }

  #relabel(): void {
    if (this.#sketches.length > 0) this.#render(true);
  }

  /** Streams `source` (a File/Blob or a fetch Response) and shows at most `limit` sketches. */
  async open(source: Blob | Response, name: string, limit: number): Promise<void> {
    const run = ++this.#run;
    this.#sketches = [];
    this.#render(true);
    this.#el.status.classList.remove('error');
    this.#el.status.textContent = `Reading ${name}…`;
    try {
      for await (const record of readRecords(source, {compression: 'auto'})) {
        if (run !== this.#run) return; // another file was opened meanwhile; leaving the loop cancels this one
        this.#sketches.push(sketchOf(record, this.#sketches.length));
        if (this.#sketches.length - this.#shown >= 50) {
          this.#appendCells();
          this.#el.status.textContent = `Reading ${name}… ${this.#shown} sketches`;
        }
        if (this.#sketches.length >= limit) break;
      }
    } catch (err) {
      if (run !== this.#run) return;
      this.#render(false);
      this.#el.status.classList.add('error');
      this.#el.status.textContent = `${name}: ${err instanceof Error ? err.message : String(err)} (after ${this.#sketches.length} sketches)`;
      return;
    }
    if (run !== this.#run) return;
    this.#render(false);
    const more = this.#sketches.length >= limit ? ` (stopped at the limit of ${limit})` : '';
    this.#el.status.textContent = `${name}: ${this.#sketches.length} sketches${more}.`;
    this.#el.grid.dataset['done'] = 'true';
  }

  /** Shows the cells not shown yet (all of them again when `redraw`), then the length histogram. */
  #render(redraw: boolean): void {
    if (redraw) {
      this.#el.grid.replaceChildren();
      this.#el.grid.dataset['done'] = 'false';
      this.#shown = 0;
    }
    this.#appendCells();
    this.#el.histogram.replaceChildren();
    if (this.#sketches.length > 0) {
      const lengths = this.#sketches.map((s) => inkLength(s.ink));
      this.#el.histogram.append(svgImage(lengthHistogramSvg(lengths), 'histogram of sketch lengths'));
    }
  }

  #appendCells(): void {
    const from = this.#shown;
    const cells = this.#sketches.slice(from).map((s, i) => {
      const figure = document.createElement('figure');
      const label = this.labelOf(s);
      figure.dataset['index'] = String(from + i);
      figure.append(svgImage(sketchToSvg(s.ink, {size: 96}), label));
      const caption = document.createElement('figcaption');
      caption.textContent = label;
      caption.title = `${label}, ${inkLength(s.ink)} steps`;
      figure.append(caption);
      return figure;
    });
    this.#el.grid.append(...cells);
    this.#shown = this.#sketches.length;
    this.#el.grid.dataset['count'] = String(this.#shown);
  }
}
