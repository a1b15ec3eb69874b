// The page: pick a backend, load the classifier the main command trained, wire the drawing pad, the
// Train section (which can replace that classifier with one trained or loaded in the page) and the
// dataset viewer. Everything from the library comes through its package exports (`quickdraw-tfjs/...`).
import {parseClassNames} from 'quickdraw-tfjs/data';
import {type LoadedSketchClassifier, loadSketchClassifier} from 'quickdraw-tfjs/model';
import {cropInk, type Drawing, drawingToInk, simplifyDrawing} from 'quickdraw-tfjs/sketch';
import {predictTopK} from 'quickdraw-tfjs/train';
import {pickBackend} from './backend.js';
import {DrawPad} from './draw-pad.js';
import {TrainPanel} from './train-panel.js';
import {DatasetViewer} from './viewer.js';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page: no element #${id}`);
  return el as T;
}

function showError(el: HTMLElement, err: unknown): void {
  el.classList.add('error');
  el.textContent = err instanceof Error ? err.message : String(err);
  console.error(err);
}


/** The drawing as the training data saw it: simplified like Quick, Draw!, in stroke-3, cropped (unless `maxLength` is null). */
function inkOf(drawing: Drawing, maxLength: number | null): Float32Array {
  const ink = drawingToInk(simplifyDrawing(drawing));
  return maxLength === null ? ink : cropInk(ink, maxLength);
}

function showGuesses(list: HTMLElement, guesses: ReadonlyArray<{className: string; probability: number}>): void {
  list.replaceChildren(
    ...guesses.map((g) => {
      const li = document.createElement('li');
      li.dataset['class'] = g.className;
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = g.className;
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${Math.max(1, Math.round(g.probability * 100))}%`;
      const p = document.createElement('span');
      p.className = 'p';
      p.textContent = `${(g.probability * 100).toFixed(1)}%`;
      p.dataset['p'] = String(g.probability); // the exact value, for comparing with another runtime
      li.append(name, bar, p);
      return li;
    }),
  );
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const backendEl = byId('backend');
  const choice = await pickBackend(params.get('backend'));
  backendEl.textContent = choice.name;
  document.body.dataset['backend'] = choice.name;
  if (choice.threads !== undefined) document.body.dataset['threads'] = String(choice.threads);
  byId('backend-note').textContent = `(${choice.detail}${choice.skipped.length > 0 ? `; passed over: ${choice.skipped.join('; ')}` : ''})`;

  const viewer = new DatasetViewer({status: byId('viewer-status'), grid: byId('grid'), histogram: byId('histogram')});
  wireViewer(viewer);

  const modelStatus = byId('model-status');
  const guesses = byId('guesses');
  let classifier: LoadedSketchClassifier | null = null;
  const useClassifier = (next: LoadedSketchClassifier, origin: string): void => {
    classifier = next;
    const {classNames, maxLength} = next;
    modelStatus.classList.remove('error');
    modelStatus.textContent = `Model ${origin}: ${classNames.length} classes (${classNames.join(', ')}), ${maxLength === null ? 'sketches not cropped' : `sketches cropped to ${maxLength} steps`}.`;
    viewer.setModelClassNames(classNames);
    byId<HTMLButtonElement>('download').disabled = false;
    guesses.replaceChildren();
    document.body.dataset['model'] = origin;
  };
  new TrainPanel({useClassifier, currentClassifier: () => classifier, backend: choice});
  try {
    useClassifier(await loadSketchClassifier(new URL(params.get('model') ?? './model/model.json', location.href).href), 'shipped with the page');
  } catch (err) {
    showError(modelStatus, err);
    document.body.dataset['ready'] = 'error';
    return;
  }

  const note = byId('guess-note');
  let pending = 0;
  const pad = new DrawPad(byId<HTMLCanvasElement>('pad'), (drawing) => {
    const ticket = ++pending;
    void (async () => {
      try {
        // Any drawing gets an answer, a dot or a single line included: predictTopK zero-pads an ink
        // shorter than the model's receptive field (21 steps for the default model) up to it.
        if (classifier === null) return;
        const {model, classNames, maxLength} = classifier;
        const ink = inkOf(drawing, maxLength);
        const [top] = await predictTopK(model, [ink], {classNames, k: Math.min(5, classNames.length)});
        if (ticket !== pending || top === undefined) return; // a newer stroke or a clear won
        showGuesses(guesses, top);
        const steps = ink.length / 3;
        note.textContent = `${drawing.length} stroke${drawing.length === 1 ? '' : 's'}, ${steps} step${steps === 1 ? '' : 's'} after simplification.`;
        note.dataset['ink'] = JSON.stringify(Array.from(ink)); // what the model was given, for comparing with another runtime
        document.body.dataset['guessed'] = String(ticket);
      } catch (err) {
        showError(note, err);
      }
    })();
  });
  byId('clear').addEventListener('click', () => {
    pending++;
    pad.clear();
    guesses.replaceChildren();
    note.textContent = '';
  });
  document.body.dataset['ready'] = 'true';
}

function wireViewer(viewer: DatasetViewer): void {
  const limit = (): number => Math.max(1, Number(byId<HTMLInputElement>('limit').value) || 500);
  const status = byId('viewer-status');
  byId<HTMLInputElement>('file').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file !== undefined) void viewer.open(file, file.name, limit());
  });
  byId<HTMLInputElement>('classes').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file !== undefined) {
      file
        .text()
        .then((text) => {
          const names = parseClassNames(text);
          viewer.setFileClassNames(names);
          byId('classes-note').textContent = `${names.length} class names from ${file.name}`;
        })
        .catch((err: unknown) => showError(status, err));
    }
  });
  byId<HTMLFormElement>('url-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const url = byId<HTMLInputElement>('url').value.trim();
    if (url === '') return;
    status.classList.remove('error');
    status.textContent = `Fetching ${url}…`;
    fetch(url).then(
      (response) => {
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
        return viewer.open(response, url, limit());
      },
    ).catch((err: unknown) => showError(status, err));
  });
}

main().catch((err: unknown) => {
  showError(byId('backend'), err);
  document.body.dataset['ready'] = 'error';
});
