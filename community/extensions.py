"""Flask extensions, created unbound and bound to an app in ``community.app``."""

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from community.database import Base, Session
from community.mail import Mailer

db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
cache = Cache()
limiter = Limiter(key_func=get_remote_address)
socketio = SocketIO()
mailer = Mailer()
