// The example Node.js function: greets whoever the event names, using one
// real npm dependency so the packager's `npm ci --omit=dev` has work to do.
const isNumber = require("is-number");

exports.handler = async (event = {}) => {
  const name = event.name ?? "world";
  return {
    statusCode: 200,
    body: JSON.stringify({ message: `hello, ${name}`, nameIsNumber: isNumber(name) }),
  };
};
