// Example route middleware (docs/middleware.md): stamps a response header. The
// function's own header of the same name, if it sends one, wins.
export default function stamp({ header = 'X-Stamp', value = 'gatehouse' } = {}) {
  return (req, res, next) => {
    res.set(header, value);
    next();
  };
}
