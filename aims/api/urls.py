from ninja import NinjaAPI

api = NinjaAPI(title="OpenAIMS API", version="1", urls_namespace="api")
