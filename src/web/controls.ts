/**
 * A camera's control inputs, built from the schema it publishes: `int` → range
 * with its number, `bool` → checkbox, `enum` → select of exactly its choices,
 * `action` → button. Inputs are rebuilt only when the schema changes; a new
 * published value moves an input only while nobody is using it. Each control
 * has its own message line right after its input: a refusal shows there (in
 * view) and the input returns to the last value the camera accepted.
 */
import type { ControlSpec, EnumControl, IntControl } from '../control/schema.js';
import type { ControlOutcome } from './api.js';
import { initialValue, publishedValue, schemaKey } from './control-schema.js';

/** Sends one control (`value` undefined for an action) and says how it went. */
export type SendControl = (name: string, value: string | undefined) => Promise<ControlOutcome>;

/** How long a success message stays next to its control. */
const CONFIRMATION_MS = 4000;
/** After a request, published values are ignored this long (a status taken before it may still arrive). */
const SETTLE_MS = 1500;

/** One control's input as text: what it holds and how to set it. */
interface Widget {
  /** The focusable input, select or button. */
  readonly input: HTMLInputElement | HTMLSelectElement | HTMLButtonElement;
  /** Shown in the third column (a range's number). */
  readonly extra?: HTMLElement;
  read(): string;
  write(value: string): void;
}

function rangeWidget(spec: IntControl, start: string): Widget {
  const input = document.createElement('input');
  input.type = 'range';
  input.min = String(spec.min);
  input.max = String(spec.max);
  input.step = '1';
  const shown = document.createElement('output');
  const write = (value: string): void => {
    input.value = value;
    shown.textContent = input.value;
  };
  input.addEventListener('input', () => {
    shown.textContent = input.value;
  });
  write(start);
  return { input, extra: shown, read: () => input.value, write };
}

function checkboxWidget(start: string): Widget {
  const input = document.createElement('input');
  input.type = 'checkbox';
  const write = (value: string): void => {
    input.checked = value === '1';
  };
  write(start);
  return { input, read: () => (input.checked ? '1' : '0'), write };
}

function selectWidget(spec: EnumControl, start: string): Widget {
  const input = document.createElement('select');
  if (start === '') {
    // The camera did not say which one it uses: show that, without offering it as a choice.
    const unknown = new Option('—', '', true, true);
    unknown.disabled = true;
    input.add(unknown);
  }
  for (const choice of spec.choices) input.add(new Option(choice.label, choice.value));
  const write = (value: string): void => {
    const index = [...input.options].findIndex((o) => o.value === value);
    if (index >= 0) input.selectedIndex = index;
  };
  write(start);
  return { input, read: () => input.value, write };
}

function buttonWidget(): Widget {
  const input = document.createElement('button');
  input.type = 'button';
  input.textContent = 'Send';
  return { input, read: () => '', write: () => {} };
}

function widgetFor(spec: ControlSpec): Widget {
  const start = initialValue(spec);
  switch (spec.kind) {
    case 'int':
      return rangeWidget(spec, start);
    case 'bool':
      return checkboxWidget(start);
    case 'enum':
      return selectWidget(spec, start);
    case 'action':
      return buttonWidget();
  }
}

/** One rendered control: its widget, message line and the value the camera last accepted. */
class ControlRow {
  readonly element: HTMLElement;
  readonly #spec: ControlSpec;
  readonly #widget: Widget;
  readonly #message: HTMLElement;
  readonly #send: SendControl;
  /** The last value the camera accepted or published, as the input's text. */
  #accepted: string;
  #pending = false;
  /** `performance.now()` before which published values are not shown (see SETTLE_MS). */
  #settleUntil = 0;
  /** A value asked for while a request was on its way: sent next. */
  #queued: string | undefined;
  #clearTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(spec: ControlSpec, id: string, send: SendControl) {
    this.#spec = spec;
    this.#send = send;
    this.#widget = widgetFor(spec);
    this.#accepted = this.#widget.read();
    const { input, extra } = this.#widget;
    input.id = id;
    input.name = spec.name;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = spec.label;
    if (spec.hint) {
      label.title = spec.hint;
      input.title = spec.hint;
    }
    this.#message = document.createElement('p');
    this.#message.className = 'ctl-msg';
    this.#message.id = `${id}-msg`;
    this.#message.setAttribute('role', 'alert');
    input.setAttribute('aria-describedby', this.#message.id);
    this.element = document.createElement('div');
    this.element.className = 'ctl';
    this.element.dataset.control = spec.name;
    this.element.dataset.kind = spec.kind;
    // The message sits right after the input, so it is read (and seen) with it.
    this.element.append(label, input, this.#message);
    if (extra) {
      extra.className = 'val';
      this.element.append(extra);
    }
    if (spec.kind === 'action') input.addEventListener('click', () => void this.#run());
    else input.addEventListener('change', () => void this.#commit(this.#widget.read()));
  }

  /** Show the camera's current value, unless the person is using this input right now. */
  sync(spec: ControlSpec): void {
    const value = publishedValue(spec);
    if (value === undefined || this.#pending || document.activeElement === this.#widget.input) return;
    if (performance.now() < this.#settleUntil) return;
    this.#accepted = value;
    if (this.#widget.read() !== value) this.#widget.write(value);
  }

  async #run(): Promise<void> {
    const button = this.#widget.input;
    button.disabled = true;
    try {
      this.#show(await this.#send(this.#spec.name, undefined));
    } finally {
      button.disabled = false;
    }
  }

  async #commit(value: string): Promise<void> {
    if (this.#pending) {
      this.#queued = value;
      return;
    }
    this.#pending = true;
    this.#widget.input.setAttribute('aria-busy', 'true');
    try {
      let next: string | undefined = value;
      while (next !== undefined) {
        const asked: string = next;
        this.#queued = undefined;
        const outcome = await this.#send(this.#spec.name, asked);
        if (outcome.ok) this.#accepted = asked;
        // Refused: the camera kept its value; show that one again (unless the person already chose another).
        else if (this.#queued === undefined) this.#widget.write(this.#accepted);
        this.#show(outcome);
        next = this.#queued;
      }
    } finally {
      this.#pending = false;
      this.#settleUntil = performance.now() + SETTLE_MS;
      this.#widget.input.removeAttribute('aria-busy');
    }
  }

  #show(outcome: ControlOutcome): void {
    clearTimeout(this.#clearTimer);
    this.#message.dataset.state = outcome.ok ? 'ok' : 'error';
    this.#message.textContent = outcome.message;
    if (outcome.ok) {
      const shown = outcome.message;
      this.#clearTimer = setTimeout(() => {
        if (this.#message.textContent === shown) this.#message.textContent = '';
      }, CONFIRMATION_MS);
    } else {
      this.#message.scrollIntoView({ block: 'nearest' });
    }
  }
}

/** The controls of one camera card. */
export class ControlPanel {
  readonly #box: HTMLElement;
  readonly #form: HTMLFormElement;
  readonly #idPrefix: string;
  readonly #send: SendControl;
  #key: string | undefined;
  #rows = new Map<string, ControlRow>();

  /** `box` is hidden while the camera publishes no controls; `form` holds the rows. */
  constructor(box: HTMLElement, form: HTMLFormElement, idPrefix: string, send: SendControl) {
    this.#box = box;
    this.#form = form;
    this.#idPrefix = idPrefix;
    this.#send = send;
    form.addEventListener('submit', (event) => event.preventDefault());
  }

  /** Show these specs: rebuild when the schema changed, else only bring values up to date. */
  update(specs: readonly ControlSpec[]): void {
    const key = schemaKey(specs);
    if (key !== this.#key) {
      this.#key = key;
      this.#build(specs);
      return;
    }
    for (const spec of specs) this.#rows.get(spec.name)?.sync(spec);
  }

  #build(specs: readonly ControlSpec[]): void {
    this.#rows = new Map();
    const elements = specs.map((spec, i) => {
      const row = new ControlRow(spec, `${this.#idPrefix}-${i}`, this.#send);
      this.#rows.set(spec.name, row);
      return row.element;
    });
    this.#form.replaceChildren(...elements);
    this.#box.hidden = specs.length === 0;
  }
}
