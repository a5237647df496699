"""The local playground: a web page on localhost standing in for a chat platform."""
