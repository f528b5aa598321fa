import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { ERROR_STATUS } from '../../common/errors.ts';

/** The Fastify instance with TypeBox-typed routes: schemas validate input and allowlist output. */
export type Router = FastifyInstance & ReturnType<FastifyInstance['withTypeProvider']>;

export function typed(app: FastifyInstance) {
  return app.withTypeProvider<TypeBoxTypeProvider>();
}
export type TypedApp = ReturnType<typeof typed>;

export const ErrorResponse = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.Enum(Object.keys(ERROR_STATUS)),
        message: Type.String(),
        details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** Response map for a route: its success shape plus the one error shape for every failure status. */
export function responses(status: number, schema: TSchema) {
  return { [status]: schema, '4xx': ErrorResponse, '5xx': ErrorResponse };
}
