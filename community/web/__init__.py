"""The edge every request and socket event passes through: arguments and inputs checked, forms,
error pages, security headers, language choice, how a form post ends, live (Socket.IO) plumbing
and downloads. Features build their views on these; nothing here knows a feature."""
