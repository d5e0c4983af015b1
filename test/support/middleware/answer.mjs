// Test middleware: answers the request itself (the function must not be woken).
export default ({ status = 200 } = {}) => (req, res) => {
  res.status(status).json({ answeredBy: 'middleware', route: req.gatehouse.route });
};
