"""Turning the plan into task rows and due tasks into messages."""
