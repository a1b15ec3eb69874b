// A canvas to draw on with a mouse, a pen or a finger (pointer events). It records the drawing the way
// Quick, Draw! does: a list of strokes, each `[xs, ys]` in canvas pixels, and reports it after each stroke.
import type {Drawing} from 'quickdraw-tfjs/sketch';

export class DrawPad {
  readonly #canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #onStroke: (drawing: Drawing) => void;
  #strokes: Array<[number[], number[]]> = [];
  #current: [number[], number[]] | null = null;
  #pointerId: number | null = null;

  constructor(canvas: HTMLCanvasElement, onStroke: (drawing: Drawing) => void) {
    const ctx = canvas.getContext('2d');
    if (ctx === null) throw new Error('draw pad: no 2d canvas context');
    this.#canvas = canvas;
    this.#ctx = ctx;
    this.#onStroke = onStroke;
    canvas.addEventListener('pointerdown', (e) => this.#down(e));
    canvas.addEventListener('pointermove', (e) => this.#move(e));
    canvas.addEventListener('pointerup', (e) => this.#up(e));
    canvas.addEventListener('pointercancel', (e) => this.#up(e));
    this.clear();
  }

  /** The strokes drawn so far (copies). */
  get drawing(): Drawing {
    return this.#strokes.map(([xs, ys]) => [xs.slice(), ys.slice()]);
  }

  /** Erases the canvas and forgets the strokes. */
  clear(): void {
    this.#strokes = [];
    this.#current = null;
    this.#pointerId = null;
    const {width, height} = this.#canvas;
    this.#ctx.fillStyle = '#fff';
    this.#ctx.fillRect(0, 0, width, height);
  }

  /** Canvas-pixel coordinates of a pointer event (the canvas may be displayed scaled). */
  #point(e: PointerEvent): [number, number] {
    const rect = this.#canvas.getBoundingClientRect();
    const x = ((e.clientX - rect.left) * this.#canvas.width) / rect.width;
    const y = ((e.clientY - rect.top) * this.#canvas.height) / rect.height;
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
  }

  #down(e: PointerEvent): void {
    if (this.#pointerId !== null || e.button !== 0) return;
    e.preventDefault();
    this.#pointerId = e.pointerId;
    this.#canvas.setPointerCapture(e.pointerId);
    const [x, y] = this.#point(e);
    this.#current = [[x], [y]];
    this.#ctx.fillStyle = '#111';
    this.#ctx.beginPath();
    this.#ctx.arc(x, y, 2, 0, 2 * Math.PI);
    this.#ctx.fill();
  }

  #move(e: PointerEvent): void {
    if (e.pointerId !== this.#pointerId || this.#current === null) return;
    e.preventDefault();
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const ev of events.length > 0 ? events : [e]) this.#lineTo(this.#point(ev));
  }

  #lineTo([x, y]: [number, number]): void {
    const [xs, ys] = this.#current!;
    const px = xs[xs.length - 1]!;
    const py = ys[ys.length - 1]!;
    if (px === x && py === y) return;
    xs.push(x);
    ys.push(y);
    const ctx = this.#ctx;
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 4;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(px, py);
    ctx.lineTo(x, y);
    ctx.stroke();
  }

  #up(e: PointerEvent): void {
    if (e.pointerId !== this.#pointerId || this.#current === null) return;
    if (e.type === 'pointerup') this.#lineTo(this.#point(e));
    this.#strokes.push(this.#current);
    this.#current = null;
    this.#pointerId = null;
    this.#onStroke(this.drawing);
  }
}
