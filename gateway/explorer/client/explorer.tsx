/**
 * The analysts' GraphQL explorer: GraphiQL with a bar that sends the caller's token and the
 * request's purpose (the access headers) with every operation, and saved example operations per
 * kind of user. Bundled at build time by gateway/explorer/build.ts and served by the gateway from
 * its own origin: nothing here may load from another host (the gateway's CSP forbids it too).
 */
import { isMacOs, useGraphiQL, useGraphiQLActions } from '@graphiql/react';
import { GraphiQL, type GraphiQLProps } from 'graphiql';
import 'graphiql/style.css';
import { StrictMode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { district } from '../../../lib/catalogue/district';
import type { ExplorerSettings, ExplorerExample, DemoCallerToken } from '../settings';
import { explorerError, notGraphqlAnswer, stoppedAnswer, type Answer } from './explorer-errors';
import { operationSent } from './operation-sent';
import './explorer.css';

// Monaco runs its language services in web workers; the build emits each as a file of its own,
// next to this bundle (see build.ts: keep the names in sync).
const workerFiles: Record<string, string> = { json: 'json.worker.js', graphql: 'graphql.worker.js' };
(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    return new Worker(new URL(`./${workerFiles[label] ?? 'editor.worker.js'}`, document.baseURI));
  },
};

interface Access {
  token: string;
  /** The label of the demo caller whose token this is, or '' for a pasted token. */
  demoCaller: string;
  matter: string;
  caseNumber: string;
  consentId: string;
}

const noAccess: Access = { token: '', demoCaller: '', matter: '', caseNumber: '', consentId: '' };

/**
 * GraphiQL's storage (tabs, variables, history, its settings), kept in page memory. Operations
 * name subjects and persons' ID numbers, and a browser's storage reaches its disk: Chromium writes
 * even sessionStorage to its profile (Session Storage) and brings it back with "Continue where
 * you left off" or after a crash, on a shared office computer too. A reload forgets them.
 */
function pageMemoryStorage(): NonNullable<GraphiQLProps['storage']> {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
    get length() {
      return items.size;
    },
  };
}

/** A browser refuses header text beyond ASCII (a case number 北财采〔2026〕17号): such text goes percent-encoded, as RFC 8187 writes it. */
function headerText(text: string): string {
  // encodeURIComponent throws on a lone surrogate (half an emoji pasted in): it stands as U+FFFD.
  return /^[\x20-\x7e]*$/.test(text) ? text : `UTF-8''${encodeURIComponent(text.replace(/\p{Cs}/gu, '\ufffd'))}`;
}

function accessHeaders(access: Access, settings: ExplorerSettings): Record<string, string> {
  const headers: Record<string, string> = {};
  if (access.token.trim()) headers.authorization = `Bearer ${access.token.trim().replace(/^Bearer\s+/i, '')}`;
  if (access.matter) headers[settings.purposeHeaders.matter] = access.matter;
  if (access.caseNumber.trim()) headers[settings.purposeHeaders.caseNumber] = headerText(access.caseNumber.trim());
  if (access.consentId.trim()) headers[settings.purposeHeaders.consentId] = headerText(access.consentId.trim());
  return headers;
}

/** The name of GraphiQL's introspection of the schema, which the fetcher tells from operations by it. */
const schemaQueryName = 'CreditExplorerSchema';

/**
 * The headers an operation is sent with, or the explorer error saying why it is not sent. The bar
 * is the one place the token and the purpose are set, and what it shows is what the gateway gets
 * and audits: a Headers tab that names one of them is refused, visibly, never silently preferred
 * or dropped. Other headers from the tab go as typed, when a browser can send them.
 */
function requestHeaders(access: Access, settings: ExplorerSettings, fromTab: unknown): Headers | Answer {
  const headers = new Headers({ 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' });
  const setByBar = new Set(['authorization', ...Object.values(settings.purposeHeaders)]);
  if (fromTab != null && (typeof fromTab !== 'object' || Array.isArray(fromTab))) {
    return explorerError('EXPLORER_BAD_HEADERS', 'Not sent: the Headers tab must hold a JSON object of header names and values, such as {"x-request-id": "check-17"}.');
  }
  for (const [name, value] of Object.entries(fromTab ?? {})) {
    if (setByBar.has(name.trim().toLowerCase())) {
      return explorerError(
        'EXPLORER_HEADER_SET_BY_BAR',
        `Not sent: the Headers tab sets ${name}, which only the bar above sets (the bearer token, matter, case and consent). Remove ${name} from the Headers tab and set it in the bar.`,
        { header: name },
      );
    }
    try {
      headers.set(name, String(value));
    } catch {
      return explorerError(
        'EXPLORER_BAD_HEADER',
        `Not sent: a browser cannot send the Headers tab's ${name} as it is. A header name is letters, digits and dashes; a value is Latin text on one line, without Chinese or invisible characters (such as U+200B). Fix or remove it.`,
        { header: name },
      );
    }
  }
  for (const [name, value] of Object.entries(accessHeaders(access, settings))) {
    try {
      headers.set(name, value);
    } catch {
      // Only the token can fail: the bar percent-encodes the purpose text (headerText).
      return explorerError('EXPLORER_BAD_TOKEN', 'Not sent: the bearer token in the bar holds a character no token has (an invisible one, such as U+200B, pasted with it?). Paste the token again.');
    }
  }
  return headers;
}

/**
 * Posts an operation of type `operation`; whatever goes wrong comes back as an explorer error,
 * saying what a mutation may have done, never as a thrown error (GraphiQL would show its stack).
 */
async function post(endpoint: URL, params: unknown, headers: Headers, signal: AbortSignal, operation: string | undefined): Promise<Answer> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(params), signal });
    text = await response.text();
  } catch (error) {
    const reason = (error as Error).message.replace(/[.\s]+$/, '');
    return explorerError('EXPLORER_NETWORK_ERROR', `No answer from the gateway: ${reason}. Check the network connection and that the gateway is running, then run again.`);
  }
  try {
    const answer: unknown = JSON.parse(text);
    if (answer && typeof answer === 'object') return answer as Answer;
  } catch {
    // Not JSON: a proxy's error page, say; answered below.
  }
  return notGraphqlAnswer(response.status, response.headers.get('content-type')?.split(';')[0] || 'no content type', operation, endpoint.href);
}

/**
 * What the status line says of an answer, once, for a screen reader: the result pane is not
 * announced (ResultPaneNotLive). The explorer's own errors by their first sentence; a GraphQL
 * answer by whether it has data and its errors' codes, as "Answer: data and 2 errors (FORBIDDEN,
 * BAD_USER_INPUT)".
 */
function answerSummary(answer: Answer): string {
  const errors = Array.isArray(answer.errors) ? (answer.errors as { message?: unknown; extensions?: { code?: unknown } }[]) : [];
  const codes = [...new Set(errors.map((e) => e?.extensions?.code).filter((code): code is string => typeof code === 'string'))];
  const ownMessage = errors.length === 1 && codes[0]?.startsWith('EXPLORER_') ? String(errors[0].message) : undefined;
  if (ownMessage) return ownMessage.match(/^[\s\S]*?[.!?](?=\s|$)/)?.[0] ?? ownMessage;
  const parts = [
    ...(answer.data != null ? ['data'] : []),
    ...(errors.length ? [`${errors.length} error${errors.length === 1 ? '' : 's'}${codes.length ? ` (${codes.join(', ')})` : ''}`] : []),
  ];
  return `Answer: ${parts.join(' and ') || 'empty'}`;
}

/**
 * GraphiQL's Stop (and leaving the tab) unsubscribes from what the fetcher returns: an
 * Observable-like whose unsubscribe aborts the request, so a request still waiting never reaches
 * the gateway, and an answer that comes anyway is dropped rather than shown later; what it
 * shows instead is `stopped`, at once (GraphiQL's stop then finishes the run; leaving the tab
 * puts the other tab's result in the pane right after). GraphiQL subscribes with an observer
 * object (its run and its introspection), the one form kept here.
 */
function cancellable(answer: (signal: AbortSignal) => Promise<Answer>, stopped: Answer, shown: (value: Answer) => void) {
  return {
    subscribe(observer: { next(value: Answer): void; complete(): void }) {
      const controller = new AbortController();
      let answered = false;
      void answer(controller.signal).then((value) => {
        if (controller.signal.aborted) return;
        answered = true;
        shown(value);
        observer.next(value);
        observer.complete();
      });
      return {
        unsubscribe: () => {
          if (answered || controller.signal.aborted) return;
          controller.abort();
          shown(stopped);
          observer.next(stopped);
        },
      };
    },
  };
}

/**
 * A random UUID (version 4). crypto.randomUUID exists only in a secure context, which an analysts'
 * gateway served over plain http on the office network is not; getRandomValues is everywhere.
 */
function randomUuid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The variables a newly opened example's tab holds: its own, and a fresh key for each of its freshKeys (its idempotencyKey). */
function variablesText(example: ExplorerExample): string | null {
  const fresh = Object.fromEntries((example.freshKeys ?? []).map((name) => [name, randomUuid()]));
  return example.variables || example.freshKeys?.length ? JSON.stringify({ ...example.variables, ...fresh }, null, 2) : null;
}

/** In the embedded default, the demo caller an example is meant for, with its purpose: what the demo is for. */
function demoAccessFor(example: ExplorerExample, settings: ExplorerSettings): Access | undefined {
  const demo = settings.demoCallers?.find((c) => c.label === example.demoCaller);
  if (!demo) return undefined;
  return { token: demo.token, demoCaller: demo.label, matter: example.purpose.matter ?? '', caseNumber: example.purpose.caseNumber ?? '', consentId: example.purpose.consentId ?? '' };
}

/**
 * The access to run an example with: its demo caller's, or else the officer's own. The purpose
 * the officer set is what the audit log records for their reads, so an example never changes it;
 * it only fills a matter left empty with its own (an analyst's statistics, STATISTICAL_ANALYSIS).
 */
function accessFor(example: ExplorerExample, settings: ExplorerSettings, current: Access): Access {
  return demoAccessFor(example, settings) ?? (current.matter ? current : { ...current, matter: example.purpose.matter ?? '' });
}

/** What the status line says once Open has put an example in a new tab: nothing else changes visibly where a keyboard user is. */
function openedSummary(example: ExplorerExample, access: Access): string {
  const caller = access.demoCaller || (access.token.trim() ? 'your token' : 'no token');
  return `Opened ${example.name} in a new tab; caller ${caller}, matter ${access.matter || 'none'}`;
}

/**
 * Inside GraphiQL (it needs its editors and tabs), drawn into the bar above it. Choosing an
 * example does nothing by itself (keyboard users pass examples with the arrow keys); Open puts
 * it in a new tab, so no draft is overwritten, sets its demo caller (accessFor), and takes the
 * keyboard to its operation.
 */
function ExamplePicker({ settings, slot, onOpen }: { settings: ExplorerSettings; slot: HTMLElement | null; onOpen: (example: ExplorerExample) => void }) {
  const queryEditor = useGraphiQL((state) => state.queryEditor);
  const variableEditor = useGraphiQL((state) => state.variableEditor);
  const { addTab } = useGraphiQLActions();
  const [chosen, setChosen] = useState('');
  if (!slot) return null;
  const example = settings.examples.find((e) => e.name === chosen);
  const open = () => {
    if (!example || !queryEditor) return;
    addTab();
    const variables = variablesText(example) ?? '';
    queryEditor.setValue(example.query);
    variableEditor?.setValue(variables);
    queryEditor.focus();
    onOpen(example);
  };
  return createPortal(
    <>
      <label className="explorer-field">
        <span>Example</span>
        <select data-testid="example" value={chosen} onChange={(e) => setChosen(e.target.value)}>
          <option value="">Choose an example…</option>
          {settings.examples.map((e) => (
            <option key={e.name} value={e.name}>
              {e.audience}: {e.title}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        data-testid="open-example"
        disabled={!example || !queryEditor}
        onClick={open}
        title={settings.demoCallers ? 'Opens the example in a new tab, with the demo caller and purpose it is meant for' : 'Opens the example in a new tab; the token and purpose in the bar stay as you set them'}
      >
        Open
      </button>
    </>,
    slot,
  );
}

/**
 * GraphiQL 5 fills its editors at start from its initial props or from what it stored as last
 * edited, not from the tab it opens: the first example's tab came without its variables (its run
 * failed on $code). This puts the active tab's operation and variables in, both.
 */
function ActiveTabInEditors() {
  const queryEditor = useGraphiQL((state) => state.queryEditor);
  const variableEditor = useGraphiQL((state) => state.variableEditor);
  const tab = useGraphiQL((state) => state.tabs[state.activeTabIndex]);
  const done = useRef(false);
  useEffect(() => {
    if (!queryEditor || !variableEditor || !tab || done.current) return;
    done.current = true;
    const [query, variables] = [tab.query ?? '', tab.variables ?? ''];
    if (queryEditor.getValue() === query && variableEditor.getValue() === variables) return;
    queryEditor.setValue(query);
    variableEditor.setValue(variables);
  }, [queryEditor, variableEditor, tab]);
  return null;
}

/**
 * The editors' options. Each is named for what it holds: Monaco names them all "Editor content",
 * which a screen reader said four times over. Monaco marks "ambiguous" characters in every editor
 * and the result, among them the brackets 〔 〕 of every Chinese document number
 * (北戴河税信评〔2026〕4号): noise on every record, which teaches officers to ignore the marks.
 * Invisible ones (U+200B, U+202E) stay marked: a real catch in a pasted code or case number.
 */
function EditorOptions() {
  const editors = useGraphiQL((state) => [state.queryEditor, state.variableEditor, state.headerEditor, state.responseEditor]);
  useEffect(() => {
    const names = ['Operation', 'Variables (JSON)', 'Headers (JSON)', 'Result'];
    // Monaco reads a unicodeHighlight given without includeStrings as "only in an untrusted
    // workspace", which a standalone editor never is: strings, where the invisible ones come, are
    // named here to stay covered, as by default.
    editors.forEach((editor, i) => editor?.updateOptions({ ariaLabel: names[i], unicodeHighlight: { ambiguousCharacters: false, invisibleCharacters: true, includeStrings: true } }));
  }, [editors]);
  return null;
}

/**
 * GraphiQL marks the result pane a polite live region, atomic: a screen reader then reads out the
 * JSON again whenever Monaco renders other lines of it (on every scroll), never the answer as a
 * whole. The status line says what came back instead (answerSummary).
 */
function ResultPaneNotLive() {
  const responseEditor = useGraphiQL((state) => state.responseEditor);
  useEffect(() => {
    responseEditor?.getContainerDomNode().closest('.result-window')?.setAttribute('aria-live', 'off');
  }, [responseEditor]);
  return null;
}

/**
 * GraphiQL opens its short keys and settings dialogs (Radix's) with no trigger Radix knows of, so
 * closing one (Esc, its close button) left focus on nothing, the page's body, and a keyboard user
 * started again from the top. This puts it back on what had it when the dialog took it: the
 * sidebar's button. Not if the dialog was left by a click elsewhere, which has focus then.
 */
function FocusBackFromDialogs() {
  useEffect(() => {
    const dialog = '.graphiql-dialog';
    let opener: HTMLElement | null = null;
    const onFocusIn = (event: FocusEvent) => {
      const from = event.relatedTarget;
      if ((event.target as Element).closest(dialog) && from instanceof HTMLElement && !from.closest(dialog)) opener = from;
    };
    // Radix takes the dialog out of the page when it closes; until then, nothing to do (and Monaco
    // changes the page on every keystroke).
    const closed = new MutationObserver(() => {
      if (!opener || document.querySelector(dialog)) return;
      if ((!document.activeElement || document.activeElement === document.body) && opener.isConnected) opener.focus();
      opener = null;
    });
    document.addEventListener('focusin', onFocusIn);
    closed.observe(document.body, { childList: true, subtree: true });
    return () => {
      document.removeEventListener('focusin', onFocusIn);
      closed.disconnect();
    };
  }, []);
  return null;
}

/**
 * Ctrl+Enter (⌘+Enter on a Mac) in the bar runs the operation, as it does in the editor, say once
 * the case number is typed; while a run is waiting it stops it, as there. Not while an input
 * method is composing (a Chinese case number): Enter then belongs to it.
 */
function RunFromBar({ bar }: { bar: HTMLElement | null }) {
  const { run } = useGraphiQLActions();
  useEffect(() => {
    if (!bar) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey) || event.isComposing) return;
      event.preventDefault();
      void run();
    };
    bar.addEventListener('keydown', onKeyDown);
    return () => bar.removeEventListener('keydown', onKeyDown);
  }, [bar, run]);
  return null;
}

function AccessBar({
  settings,
  access,
  setAccess,
  barRef,
  exampleSlot,
  status,
}: {
  settings: ExplorerSettings;
  access: Access;
  setAccess: (a: Access) => void;
  barRef: (el: HTMLElement | null) => void;
  exampleSlot: (el: HTMLDivElement | null) => void;
  /** What the last run answered (answerSummary) or Open opened (openedSummary), said once by a screen reader. */
  status: string;
}) {
  const demo = settings.demoCallers;
  const pickDemo = (label: string) => {
    const caller = demo?.find((c) => c.label === label);
    if (!caller) return setAccess({ ...access, token: '', demoCaller: '' });
    setAccess({
      token: caller.token,
      demoCaller: caller.label,
      matter: caller.headers[settings.purposeHeaders.matter] ?? '',
      caseNumber: caller.headers[settings.purposeHeaders.caseNumber] ?? '',
      consentId: caller.headers[settings.purposeHeaders.consentId] ?? '',
    });
  };
  return (
    <header ref={barRef} className="explorer-bar">
      <h1 className="explorer-title" title={district.platformName}>{district.explorerHeading}</h1>
      {demo && (
        <label className="explorer-field">
          <span>Demo caller</span>
          <select data-testid="demo-caller" value={access.demoCaller} onChange={(e) => pickDemo(e.target.value)}>
            <option value="">(none: anonymous or pasted token)</option>
            {demo.map((c: DemoCallerToken) => (
              <option key={c.label} value={c.label}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="explorer-field explorer-token">
        <span>Bearer token</span>
        <input
          data-testid="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="paste your token"
          value={access.token}
          onChange={(e) => setAccess({ ...access, token: e.target.value, demoCaller: '' })}
        />
      </label>
      <label className="explorer-field">
        <span>Matter <span lang="zh">事项</span> ({settings.purposeHeaders.matter})</span>
        <select data-testid="matter" value={access.matter} onChange={(e) => setAccess({ ...access, matter: e.target.value })}>
          <option value="">(none)</option>
          {settings.matters.map((m) => (
            <option key={m.code} value={m.code}>
              {m.code} {m.nameZh}
            </option>
          ))}
        </select>
      </label>
      <label className="explorer-field">
        <span>Case <span lang="zh">案号</span> ({settings.purposeHeaders.caseNumber})</span>
        <input data-testid="case" value={access.caseNumber} onChange={(e) => setAccess({ ...access, caseNumber: e.target.value })} />
      </label>
      <label className="explorer-field">
        <span>Consent <span lang="zh">授权</span> ({settings.purposeHeaders.consentId})</span>
        <input data-testid="consent" value={access.consentId} onChange={(e) => setAccess({ ...access, consentId: e.target.value })} />
      </label>
      <div ref={exampleSlot} className="explorer-examples" />
      <div className="explorer-notes">
        <p role="status" className="explorer-status">
          {status}
        </p>
        {/* Monaco's tab-focus toggle: without it a keyboard cannot leave an editor, where Tab indents. */}
        <p className="explorer-keys">{isMacOs ? 'In an editor, Tab indents: press ⌃⇧M, then Tab, to leave it (⌃⇧M again to indent).' : 'In an editor, Tab indents: press Ctrl+M, then Tab, to leave it (Ctrl+M again to indent).'}</p>
      </div>
    </header>
  );
}

function Explorer({ settings }: { settings: ExplorerSettings }) {
  // The token and the purpose live in page memory only, as GraphiQL's storage does (pageMemoryStorage).
  // In the embedded default the bar starts as the first example's demo caller; otherwise empty,
  // for the officer's own token and purpose.
  const [access, setAccessState] = useState<Access>(() => (settings.examples[0] && demoAccessFor(settings.examples[0], settings)) || noAccess);
  const accessRef = useRef(access);
  const setAccess = useCallback((next: Access) => {
    accessRef.current = next;
    setAccessState(next);
  }, []);
  const [storage] = useState(pageMemoryStorage);
  const [slot, setSlot] = useState<HTMLDivElement | null>(null);
  const [bar, setBar] = useState<HTMLElement | null>(null);
  const [status, setStatus] = useState('');

  // One fetcher for the page's life: it reads the access of the moment, so the schema is not
  // fetched again on every keystroke in the bar. The schema is fetched without the bar's token and
  // purpose (or the Headers tab's): it is the same for every caller, and introspection is open to
  // any where the explorer is on, so a token expired or mistyped at load cannot leave docs and
  // completion broken after a good one is pasted.
  const fetcher = useMemo<GraphiQLProps['fetcher']>(() => {
    // Resolved as settings.json was: under whatever path prefix the page was loaded from.
    const endpoint = new URL(settings.endpoint, document.baseURI);
    return (params, options) => {
      const schemaFetch = params.operationName === schemaQueryName;
      const headers = schemaFetch ? requestHeaders(noAccess, settings, undefined) : requestHeaders(accessRef.current, settings, options?.headers);
      const sent = operationSent(params.query, params.operationName);
      const body = { ...params, operationName: sent.operationName };
      // Emptied at each run, so that the same summary twice is announced twice.
      if (!schemaFetch) setStatus('');
      const shown = (value: Answer) => {
        if (!schemaFetch) setStatus(answerSummary(value));
      };
      const answer = cancellable(async (signal) => (headers instanceof Headers ? await post(endpoint, body, headers, signal, sent.type) : headers), stoppedAnswer(sent.type), shown);
      // GraphiQL's Observable type lists subscribe's other call forms too, which it never uses.
      return answer as unknown as ReturnType<GraphiQLProps['fetcher']>;
    };
  }, [settings]);
  // One tab to start with, the first example, which the bar's first demo caller is meant for (tabs
  // of the others would run with the wrong caller and purpose); Open adds the others. With no
  // example, GraphiQL's own empty tab: given no tab at all, it fails and the page stays blank.
  const defaultTabs = useMemo(() => (settings.examples.length ? settings.examples.slice(0, 1).map((e) => ({ query: e.query, variables: variablesText(e) })) : undefined), [settings]);

  return (
    <div className="explorer">
      <AccessBar settings={settings} access={access} setAccess={setAccess} barRef={setBar} exampleSlot={setSlot} status={status} />
      {/* The page's main landmark, where a screen reader's "skip to main" lands: the editors and the answer. */}
      <main className="explorer-graphiql">
        {/* Tabs, variables and history hold ID numbers and who was checked: in page memory, never
            in localStorage (GraphiQL's default) or sessionStorage, which reach the disk. */}
        <GraphiQL fetcher={fetcher} introspectionQueryName={schemaQueryName} storage={storage} defaultTabs={defaultTabs} defaultEditorToolsVisibility="variables" shouldPersistHeaders={false}>
          <GraphiQL.Logo>Credit API</GraphiQL.Logo>
          <ActiveTabInEditors />
          <EditorOptions />
          <ResultPaneNotLive />
          <FocusBackFromDialogs />
          <RunFromBar bar={bar} />
          <ExamplePicker
            settings={settings}
            slot={slot}
            onOpen={(example) => {
              const opened = accessFor(example, settings, accessRef.current);
              setAccess(opened);
              setStatus(openedSummary(example, opened));
            }}
          />
        </GraphiQL>
      </main>
    </div>
  );
}

function Failure({ message }: { message: string }) {
  return <p className="explorer-failure">The explorer could not start: {message}</p>;
}

async function main(): Promise<void> {
  const container = document.getElementById('explorer');
  if (!container) return;
  const root = createRoot(container);
  try {
    // What earlier explorers kept in the browser's storage (GraphiQL's tabs and history, the bar's
    // token and purpose), which session restore would bring back: ended now.
    for (const kept of [localStorage, sessionStorage]) {
      for (const key of Object.keys(kept)) if (key.startsWith('graphiql:') || key.startsWith('credit-explorer:')) kept.removeItem(key);
    }
  } catch {
    // Storage denied by the browser: nothing was kept there either.
  }
  try {
    const response = await fetch(new URL('./settings.json', document.baseURI), { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`settings answered ${response.status}`);
    const settings = (await response.json()) as ExplorerSettings;
    root.render(
      <StrictMode>
        <Explorer settings={settings} />
      </StrictMode>,
    );
  } catch (error) {
    root.render(<Failure message={(error as Error).message} />);
  }
}

void main();
