"""A bare Flask "hello world", the yardstick for bench/public_pages.py."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, world!"
