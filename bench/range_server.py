"""A static file server for the search benchmark: Python's http.server, answering "Range: bytes=A-B" requests
with those bytes (206) as nginx, Apache, Caddy, GitHub Pages and pufa serve do; http.server itself ignores ranges.

usage: python3 range_server.py PORT (serves the current folder on 127.0.0.1)
"""

import http.server
import io
import os
import re
import sys


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    def send_head(self):
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = self.translate_path(self.path)
        if not m or not os.path.isfile(path):
            return super().send_head()
        with open(path, "rb") as f:
            data = f.read()
        start, end = int(m.group(1)), int(m.group(2) or len(data) - 1)
        if start >= len(data) or end < start:
            self.send_error(416)
            return None
        end = min(end, len(data) - 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, len(data)))
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return io.BytesIO(data[start : end + 1])

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), RangeHandler)
    server.serve_forever()
