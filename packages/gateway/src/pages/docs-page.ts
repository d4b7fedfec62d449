// GET /docs: the OpenAPI document rendered for people, on the server and from the document alone, so the
// page can never say something /openapi.json does not. No script (the CSP forbids it), no CDN.
import type {
  OpenApiDocument, OperationObject, ParameterObject, PathItemObject, ResponseObject, SchemaObject,
} from '@ovo-tokenize/protocol';
import { html, type HtmlValue, type SafeHtml } from './html.ts';
import { renderPage } from './layout.ts';

const JSON_TYPE = 'application/json';
const SCHEMA_REF = '#/components/schemas/';

interface FieldRow {
  readonly name: string;
  readonly required: boolean;
  readonly description: string;
}

/** The page for `doc`, which is served as JSON at `documentPath`. */
export function renderDocsPage(doc: OpenApiDocument, documentPath: string): string {
  const webhooks = Object.entries(doc.webhooks);
  const body = html`${doc.info.description.split('\n\n').map((paragraph) => html`<p>${withCode(paragraph)}</p>
`)}<p>Server: <code>${doc.servers[0]?.url ?? ''}</code>. The machine-readable document: <a href="${documentPath}">${documentPath}</a> (OpenAPI ${doc.openapi}).</p>
<nav aria-label="Contents"><h2>Contents</h2><ul class="notes">
${doc.tags.map((tag) => html`<li><a href="#op-${tag.name}">${tag.name}</a> — ${tag.description}</li>
`)}${webhooks.map(([name, item]) => html`<li><a href="#webhook-${name}">${webhookOperation(item).summary}</a> (sent to the merchant)</li>
`)}<li><a href="#security">Security</a></li></ul></nav>
${doc.tags.map((tag) => operationSection(doc, tag.name))}
${webhooks.map(([name, item]) => webhookSection(doc, name, item))}
${securitySection(doc)}`;
  return renderPage({ title: 'API', lang: 'en', heading: doc.info.title, body });
}

/** `a \`b\` c` → text with `<code>` for the back-quoted parts. */
function withCode(text: string): HtmlValue[] {
  return text.split('`').map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part));
}

function resolve(doc: OpenApiDocument, schema: SchemaObject): SchemaObject {
  if (schema.$ref === undefined) return schema;
  const { $ref, ...siblings } = schema;
  const target = doc.components.schemas[$ref.slice(SCHEMA_REF.length)];
  if (target === undefined) throw new Error(`the document has no schema ${$ref}`);
  return { ...resolve(doc, target), ...siblings };
}

function operationSection(doc: OpenApiDocument, tag: string): SafeHtml {
  const served = Object.entries(doc.paths).filter(([, item]) => item.post?.tags?.includes(tag));
  const canonical = served[0]?.[1].post;
  if (canonical === undefined) return html``;
  const request = resolve(doc, canonical.requestBody?.content[JSON_TYPE]?.schema ?? {});
  const reply = resolve(doc, canonical.responses[200]?.content?.[JSON_TYPE]?.schema ?? {});
  return html`<section class="card" id="op-${tag}" aria-labelledby="op-${tag}-title">
<h2 id="op-${tag}-title">${tag}</h2>
<p>${canonical.summary}. Served at:</p>
<ul class="notes">${served.map(([path]) => html`<li><code>POST ${path}</code></li>`)}</ul>
<h3>Request fields</h3>
${fieldTable(fieldRows(doc, request), true)}
<h3>Reply fields</h3>
${fieldTable(fieldRows(doc, reply), false)}
<h3>Response codes</h3>
${codeTable(reply.properties?.response_code ?? {})}
<h3>HTTP status</h3>
${responseList(canonical.responses)}
</section>
`;
}

/** The object's fields, nested ones as `parent/child`, in document order. */
function fieldRows(doc: OpenApiDocument, schema: SchemaObject, prefix = ''): FieldRow[] {
  const required = new Set(schema.required ?? []);
  const rows: FieldRow[] = [];
  const add = (name: string, property: SchemaObject, isRequired: boolean) => {
    rows.push({ name: prefix + name, required: isRequired, description: describe(resolve(doc, property)) });
    const nested = nestedObject(doc, property);
    if (nested !== undefined) rows.push(...fieldRows(doc, nested, `${prefix}${name}/`));
  };
  for (const [name, property] of Object.entries(schema.properties ?? {})) add(name, property, required.has(name));
  for (const [pattern, property] of Object.entries(schema.patternProperties ?? {})) {
    add(resolve(doc, property).title ?? pattern, property, false);
  }
  return rows;
}

/** The object a field holds, if any: directly, as one alternative of a oneOf, or as an array's items. */
function nestedObject(doc: OpenApiDocument, property: SchemaObject): SchemaObject | undefined {
  const candidates = [property, ...(property.oneOf ?? []), ...(property.items ? [property.items] : [])];
  for (const candidate of candidates) {
    const schema = resolve(doc, candidate);
    if (schema.type === 'object' || schema.properties !== undefined || schema.patternProperties !== undefined) return schema;
  }
  return undefined;
}

function describe(property: SchemaObject): string {
  const fallback = property.type === 'object' || property.type === 'array' ? '' : 'text';
  const parts = [property.description ?? fallback];
  if (property.const !== undefined) parts.push(`always ${property.const === '' ? "''" : property.const}`);
  if (property.type === 'array') parts.push('a list');
  const values = property.enum ?? [];
  const meanings = property['x-enum-descriptions'];
  if (meanings === undefined && values.length > 0) parts.push(`one of: ${values.join(', ')}`);
  // Long enumerations (response codes) get a table of their own.
  if (meanings !== undefined && values.length <= INLINE_ENUM_MAX) {
    parts.push(values.map((value, i) => `${value === '' ? "''" : value} ${meanings[i] ?? ''}`).join(' · '));
  }
  return parts.filter((part) => part !== '').join('; ');
}

/** Enumerations up to this size (payment statuses) are spelled out in their row. */
const INLINE_ENUM_MAX = 10;

function fieldTable(rows: readonly FieldRow[], withRequired: boolean): SafeHtml {
  return html`<div class="table-wrap"><table class="table">
<thead><tr><th scope="col">Field</th>${withRequired && html`<th scope="col">Required</th>`}<th scope="col">Shape</th></tr></thead>
<tbody>${rows.map((row) => html`<tr><td>${fieldName(row.name)}</td>${withRequired && html`<td>${row.required ? 'yes' : 'no'}</td>`}<td>${row.description}</td></tr>`)}</tbody>
</table></div>`;
}

/** `a/b/c`, breakable only after a slash (or at a hyphen) so that a name never splits mid-word. */
function fieldName(name: string): SafeHtml {
  return html`<code class="docs-name">${name.split('/').map((part, i) => (i === 0 ? part : html`/<wbr>${part}`))}</code>`;
}

function codeTable(schema: SchemaObject): SafeHtml {
  const meanings = schema['x-enum-descriptions'] ?? [];
  return html`<div class="table-wrap"><table class="table">
<thead><tr><th scope="col">response_code</th><th scope="col">Meaning</th></tr></thead>
<tbody>${(schema.enum ?? []).map((code, i) => html`<tr><td><code>${code}</code></td><td>${meanings[i] ?? ''}</td></tr>`)}</tbody>
</table></div>`;
}

function responseList(responses: Readonly<Record<string, ResponseObject>>): SafeHtml {
  return html`<ul class="notes">${Object.entries(responses).map(([status, response]) => html`<li><strong>${status}</strong>: ${response.description}${
    response.headers && Object.keys(response.headers).map((name) => html` Header <code>${name}</code>.`)}</li>`)}</ul>`;
}

function webhookOperation(item: PathItemObject): OperationObject {
  const operation = item.post ?? item.get;
  if (operation === undefined) throw new Error('a webhook without GET or POST');
  return operation;
}

function webhookSection(doc: OpenApiDocument, name: string, item: PathItemObject): SafeHtml {
  const operation = webhookOperation(item);
  const body = operation.requestBody?.content[JSON_TYPE]?.schema;
  const acknowledgement = Object.values(operation.responses).flatMap((r) => (r.content?.[JSON_TYPE] ? [r.content[JSON_TYPE].schema] : []))[0];
  return html`<section class="card" id="webhook-${name}" aria-labelledby="webhook-${name}-title">
<h2 id="webhook-${name}-title">${operation.summary}</h2>
<p>${operation.description}</p>
<p>Request: <code>${item.post ? 'POST' : 'GET'}</code>, from the gateway to the merchant.</p>
${operation.parameters && html`<h3>Parameters</h3>
${parameterTable(operation.parameters)}`}
${body && html`<h3>Body fields</h3>
${fieldTable(fieldRows(doc, resolve(doc, body)), true)}`}
${acknowledgement && html`<h3>Acknowledgement fields</h3>
${fieldTable(fieldRows(doc, resolve(doc, acknowledgement)), true)}`}
<h3>Answer</h3>
${responseList(operation.responses)}
</section>
`;
}

function parameterTable(parameters: readonly ParameterObject[]): SafeHtml {
  return html`<div class="table-wrap"><table class="table">
<thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Required</th><th scope="col">Shape</th></tr></thead>
<tbody>${parameters.map((p) => html`<tr><td>${fieldName(p.name)}</td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td>${
    [p.description, describe({ ...p.schema, description: '' })].filter((part) => part !== '').join('; ')}</td></tr>`)}</tbody>
</table></div>`;
}

function securitySection(doc: OpenApiDocument): SafeHtml {
  return html`<section class="card" id="security" aria-labelledby="security-title">
<h2 id="security-title">Security</h2>
<p>Every request carries the legacy <code>signature</code> field (see each operation's request fields).</p>
<ul class="notes">${Object.values(doc.components.securitySchemes).map((scheme) => html`<li><code>${scheme.name}</code> header: ${scheme.description}</li>`)}</ul>
</section>`;
}
