// Imported first by the GraphQL benchmark: the servers run as deployed (the
// Docker image sets NODE_ENV=production). graphql-js reads NODE_ENV once, when
// its modules load, to choose its cheaper production `instanceof` checks, so this
// must run before anything imports graphql.
process.env.NODE_ENV = 'production';
