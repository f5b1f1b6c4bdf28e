import type { ActorView } from '../resolvers/agent/views.js';
import { builder } from './builder.js';

export const Actor = builder.objectRef<ActorView>('Actor').implement({
  description: 'Who did something: a person, or an agent acting for that person.',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'person or agent' }),
    userId: t.exposeID('userId', { description: 'The person (for an agent: on whose behalf).' }),
    displayName: t.exposeString('displayName'),
    agentId: t.exposeID('agentId', { nullable: true }),
  }),
});
