// Answers in AWS's Query protocol XML: the action's result, shaped by its output
// shape (members in the model's order, lists as <member>, policy documents
// URL-encoded as AWS returns them), and AWS's ErrorResponse with its HTTP status.
// https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#response-serialization
//
// Written as text straight from the shapes: element names come from the model, and
// every value goes through `escapeXml`. (A general XML builder cost about 250 µs for
// a 20-user ListUsers answer, a third of the request; this writes it in a few.)
import { type Shape, type ServiceModel, type StructureShape, getShape, toGraphQLName } from './model/index.js';

/** A successful answer: `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…`. */
export function writeResult(
  model: ServiceModel,
  action: string,
  output: { shape: string; resultWrapper: string | undefined; connectionMember: string | undefined } | undefined,
  data: unknown,
  requestId: string,
): string {
  let body = '';
  if (output) {
    const wrapper = output.resultWrapper ?? `${action}Result`;
    body = element(wrapper, writeStructure(model, getShape(model, output.shape) as StructureShape, data, output.connectionMember));
  }
  return `<${action}Response xmlns="${escapeXml(model.metadata.xmlNamespace)}">${body}<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`;
}

/** Who is at fault for an error, in `<Type>`. */
export type ErrorType = 'Sender' | 'Receiver';

/** AWS's error answer. */
export function writeError(xmlNamespace: string, error: { type: ErrorType; code: string; message: string }, requestId: string): string {
  const detail = element('Type', escapeXml(error.type)) + element('Code', escapeXml(error.code)) + element('Message', escapeXml(error.message));
  return `<ErrorResponse xmlns="${escapeXml(xmlNamespace)}">${element('Error', detail)}${element('RequestId', escapeXml(requestId))}</ErrorResponse>`;
}

/** XML's five predefined entities; any other character is written as itself (UTF-8). */
export function escapeXml(text: string): string {
  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => ENTITIES[c]!) : text;
}

const ENTITIES: Readonly<Record<string, string>> = Object.freeze({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' });

const element = (name: string, content: string): string => `<${name}>${content}</${name}>`;


/** A structure's members as writing needs them, worked out once per shape. */
interface MemberPlan {
  memberName: string;
  field: string;
  element: string;
  shapeName: string;
  shape: Shape;
  /** For a list member: its items' element and shape, and whether it is flattened. */
  list?: { itemName: string; itemShapeName: string; itemShape: Shape; flattened: boolean };
}

const plans = new WeakMap<StructureShape, MemberPlan[]>();

function planOf(model: ServiceModel, shape: StructureShape): MemberPlan[] {
  let plan = plans.get(shape);
  if (plan) return plan;
  plan = Object.entries(shape.members).map(([memberName, member]) => {
    const memberShape = getShape(model, member.shape);
    return {
      memberName,
      field: toGraphQLName(memberName),
      element: member.locationName ?? memberName,
      shapeName: member.shape,
      shape: memberShape,
      ...(memberShape.type === 'list'
        ? {
            list: {
              itemName: memberShape.member.locationName ?? 'member',
              itemShapeName: memberShape.member.shape,
              itemShape: getShape(model, memberShape.member.shape),
              flattened: Boolean(member.flattened || memberShape.flattened),
            },
          }
        : {}),
    };
  });
  plans.set(shape, plan);
  return plan;
}

function writeStructure(model: ServiceModel, shape: StructureShape, value: unknown, connectionMember?: string): string {
  const object = (value ?? {}) as Record<string, unknown>;
  let out = '';
  for (const member of planOf(model, shape)) {
    const raw = member.memberName === connectionMember ? object.nodes : object[member.field];
    if (raw === null || raw === undefined) continue;
    if (member.list) {
      const items = listItems(raw);
      if (!items) continue;
      const { itemName, itemShapeName, itemShape, flattened } = member.list;
      let content = '';
      for (const item of items) {
        const written = writeValue(model, itemShapeName, itemShape, item);
        // A flattened list repeats the member's own element; otherwise its items sit in <member>s.
        if (written !== undefined) content += element(flattened ? member.element : itemName, written);
      }
      out += flattened ? content : element(member.element, content);
      continue;
    }
    const written = writeValue(model, member.shapeName, member.shape, raw);
    if (written !== undefined) out += element(member.element, written);
  }
  return out;
}

/** A list's items; a nested connection (a group's users) is read through its nodes. */
function listItems(value: unknown): unknown[] | undefined {
  const items = Array.isArray(value) ? value : (value as { nodes?: unknown[] }).nodes;
  return Array.isArray(items) ? items : undefined;
}

/** The content of one value's element (escaped), or undefined for none. */
function writeValue(model: ServiceModel, shapeName: string, shape: Shape, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (shape.type) {
    case 'structure':
      return writeStructure(model, shape, value);
    case 'list': {
      const items = listItems(value);
      if (!items) return undefined;
      const itemShape = getShape(model, shape.member.shape);
      const itemName = shape.member.locationName ?? 'member';
      return items.map((item) => writeValue(model, shape.member.shape, itemShape, item)).filter((item) => item !== undefined).map((item) => element(itemName, item)).join('');
    }
    case 'map': {
      const keyName = shape.key.locationName ?? 'key';
      const valueName = shape.value.locationName ?? 'value';
      const valueShape = getShape(model, shape.value.shape);
      // GraphQL answers a map as a list of `{ key, value }` entries.
      const entries = Array.isArray(value) ? value.map((entry: { key: string; value: unknown }) => [entry.key, entry.value] as const) : Object.entries(value as Record<string, unknown>);
      return entries
        .map(([key, item]) => element('entry', element(keyName, escapeXml(key)) + element(valueName, writeValue(model, shape.value.shape, valueShape, item) ?? '')))
        .join('');
    }
    case 'timestamp':
      return escapeXml(value instanceof Date ? value.toISOString() : String(value));
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      // AWS returns policy documents URL-encoded (RFC 3986) inside its XML answers.
      return escapeXml(shapeName === 'policyDocumentType' ? encodeURIComponent(String(value)) : String(value));
  }
}
