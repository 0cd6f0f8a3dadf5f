// Answers in AWS's Query protocol XML: the action's result, shaped by its output
// shape (members in the model's order, lists as <member>, policy documents
// URL-encoded as AWS returns them), and AWS's ErrorResponse with its HTTP status.
// https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#response-serialization
import { XMLBuilder } from 'fast-xml-parser';
import { type Shape, type ServiceModel, type StructureShape, getShape, toGraphQLName } from './model/index.js';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

/** A successful answer: `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…`. */
export function writeResult(
  model: ServiceModel,
  action: string,
  output: { shape: string; resultWrapper: string | undefined; connectionMember: string | undefined } | undefined,
  data: unknown,
  requestId: string,
): string {
  const response: Record<string, unknown> = { '@_xmlns': model.metadata.xmlNamespace };
  if (output) {
    const shape = getShape(model, output.shape) as StructureShape;
    const result = writeStructure(model, shape, data, output.connectionMember);
    response[output.resultWrapper ?? `${action}Result`] = result;
  }
  response.ResponseMetadata = { RequestId: requestId };
  return builder.build({ [`${action}Response`]: response }) as string;
}

/** Who is at fault for an error, in `<Type>`. */
export type ErrorType = 'Sender' | 'Receiver';

/** AWS's error answer. */
export function writeError(xmlNamespace: string, error: { type: ErrorType; code: string; message: string }, requestId: string): string {
  return builder.build({
    ErrorResponse: {
      '@_xmlns': xmlNamespace,
      Error: { Type: error.type, Code: error.code, Message: error.message },
      RequestId: requestId,
    },
  }) as string;
}

function writeStructure(model: ServiceModel, shape: StructureShape, value: unknown, connectionMember?: string): Record<string, unknown> {
  const object = (value ?? {}) as Record<string, unknown>;
  const element: Record<string, unknown> = {};
  for (const [memberName, member] of Object.entries(shape.members)) {
    const raw = memberName === connectionMember ? object.nodes : object[toGraphQLName(memberName)];
    const written = writeValue(model, member.shape, getShape(model, member.shape), raw);
    if (written === undefined) continue;
    const name = member.locationName ?? memberName;
    const memberShape = getShape(model, member.shape);
    if (memberShape.type === 'list' && (member.flattened || memberShape.flattened)) element[name] = (written as { member: unknown[] }).member;
    else element[name] = written;
  }
  return element;
}

function writeValue(model: ServiceModel, shapeName: string, shape: Shape, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  switch (shape.type) {
    case 'structure':
      return writeStructure(model, shape, value);
    case 'list': {
      // A nested connection (a group's users) is read through its nodes.
      const items = Array.isArray(value) ? value : (value as { nodes?: unknown[] }).nodes;
      if (!Array.isArray(items)) return undefined;
      const itemShape = getShape(model, shape.member.shape);
      const name = shape.member.locationName ?? 'member';
      const written = items.map((item) => writeValue(model, shape.member.shape, itemShape, item)).filter((item) => item !== undefined);
      return { [name]: written };
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => ({
        [shape.key.locationName ?? 'key']: key,
        [shape.value.locationName ?? 'value']: writeValue(model, shape.value.shape, getShape(model, shape.value.shape), item),
      }));
      return { entry: entries };
    }
    case 'timestamp':
      return value instanceof Date ? value.toISOString() : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      // AWS returns policy documents URL-encoded (RFC 3986) inside its XML answers.
      return shapeName === 'policyDocumentType' ? encodeURIComponent(String(value)) : String(value);
  }
}
