// The list of AWS actions the Query-protocol endpoint answers, as README's "Use the
// AWS CLI and SDKs" prints it (scripts/readme-aws-actions.ts writes it there;
// test/aws-docs.test.ts keeps the two equal).
import type { GraphQLSchema } from 'graphql';
import { bindActions } from './bindings.js';
import { serviceModels, type ServiceName } from './model/index.js';

/** Markdown: per service, the supported actions and the count of the model's actions. */
export function supportedActionsMarkdown(schema: GraphQLSchema): string {
  const bindings = [...bindActions(schema).values()];
  return (Object.keys(serviceModels) as ServiceName[])
    .map((service) => {
      const actions = bindings.filter((binding) => binding.service === service).map((binding) => binding.action).sort();
      const total = Object.keys(serviceModels[service].operations).length;
      const model = serviceModels[service].metadata;
      return `**${model.serviceId}** (${model.apiVersion}), ${actions.length} of AWS's ${total} actions: ${actions.map((action) => `\`${action}\``).join(', ')}.`;
    })
    .join('\n\n');
}
