// Azure resources for the FastTrack FAQ bot, deployed into one resource group:
//
//   - a user-assigned managed identity (the bot's identity with appType UserAssignedMSI);
//   - a Linux App Service plan and a Python 3.11 web app running the bot with gunicorn;
//   - an Azure Bot (Microsoft.BotService/botServices) pointing at https://<web app>/api/messages,
//     with the Microsoft Teams channel enabled.
//
// az deployment group create --resource-group <rg> \
//   --template-file deployment/infra/azure.bicep \
//   --parameters @deployment/infra/azure.parameters.json
//
// The outputs are named like the toolkit's env variables (BOT_ID, BOT_DOMAIN, ...): copy them
// into deployment/env/.env.<name> before `make package ENV=<name>`. See deployment/README.md.

targetScope = 'resourceGroup'

@minLength(3)
@maxLength(20)
@description('Prefix of every resource name: lower-case letters, digits and hyphens.')
param resourceBaseName string

@description('Region of the plan, web app and identity. The Azure Bot itself is global.')
param location string = resourceGroup().location

@allowed([
  'UserAssignedMSI'
  'SingleTenant'
])
@description('How the bot authenticates to Bot Framework. UserAssignedMSI (preferred): the managed identity created here, no secret to rotate. SingleTenant: an existing Entra app registration of this tenant, with a client secret. (MultiTenant bots can no longer be created.)')
param appType string = 'UserAssignedMSI'

@description('SingleTenant only: application (client) id of the Entra app registration.')
param appId string = ''

@secure()
@description('SingleTenant only: a client secret of that app registration. Pass it on the command line, never in a parameters file.')
param appPassword string = ''

@description('SingleTenant only: Entra tenant of the app registration.')
param appTenantId string = subscription().tenantId

@allowed([
  'F0'
  'S1'
])
@description('Azure Bot pricing tier. F0 is free; the Teams channel is a standard channel, free on both.')
param botSku string = 'F0'

@description('App Service plan SKU (Linux). alwaysOn needs Basic (B1) or higher.')
param webAppSku string = 'B1'

@maxLength(42)
@description('Name of the bot shown in the Azure portal.')
param botDisplayName string = 'FastTrack FAQ'

@description('Web app name: globally unique, it becomes <name>.azurewebsites.net.')
param webAppName string = '${resourceBaseName}-${uniqueString(resourceGroup().id)}'

@description('Azure Bot resource name (the bot handle): globally unique.')
param botServiceName string = '${resourceBaseName}-bot-${uniqueString(resourceGroup().id)}'

@description('Optional FAQ_* app settings of the bot, e.g. {"FAQ_LOG_LEVEL": "INFO"}. Names as read by bot/settings.py.')
param faqSettings object = {}

@description('Key of the user-id hash in the question log (FAQ_LOG_SALT), at least 16 characters, e.g. `openssl rand -hex 32`. Keep it secret and stable: with a new salt, older records can no longer be exported or erased for a user.')
@secure()
@minLength(16)
param logSalt string

@description('Optional PostgreSQL URL of the question log (FAQ_DATABASE_URL), e.g. postgresql://user:password@server.postgres.database.azure.com:5432/faqbot?sslmode=require. Empty: SQLite on the instance\'s local disk (/tmp), lost when the instance restarts or moves; App Service\'s /home share cannot hold SQLite\'s write-ahead log.')
@secure()
param logDatabaseUrl string = ''

@description('Optional container image (e.g. myregistry.azurecr.io/fasttrack-faq-bot:1.0.0) to run instead of the zip-deployed code. The web app pulls it with its managed identity: grant that identity AcrPull on the registry.')
param containerImage string = ''

// The HOUSE_STYLE startup command, identical to the Dockerfile's CMD apart from the port:
// App Service routes to port 8000, gunicorn's default when --bind has no port.
var startupCommand = 'gunicorn --bind 0.0.0.0 --worker-class aiohttp.GunicornWebWorker --timeout 600 bot.app:make_app'

var useManagedIdentity = appType == 'UserAssignedMSI'
var useContainer = !empty(containerImage)

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  // Created in both modes: it is the bot's identity with UserAssignedMSI and the web app's
  // identity for pulling a container image either way. It costs nothing.
  name: '${resourceBaseName}-identity'
  location: location
}

var botAppId = useManagedIdentity ? identity.properties.clientId : appId
var botTenantId = useManagedIdentity ? identity.properties.tenantId : appTenantId

var botSettings = [
  {
    name: 'MicrosoftAppType'
    value: appType
  }
  {
    name: 'MicrosoftAppId'
    value: botAppId
  }
  {
    name: 'MicrosoftAppTenantId'
    value: botTenantId
  }
  {
    name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
    value: 'true'
  }
]
// The password exists only for SingleTenant; with a managed identity there is no secret at all.
var secretSettings = useManagedIdentity ? [] : [
  {
    name: 'MicrosoftAppPassword'
    value: appPassword
  }
]
// The question log: the salt always; PostgreSQL when given, else SQLite on local disk.
var logSettings = concat([
  {
    name: 'FAQ_LOG_SALT'
    value: logSalt
  }
], empty(logDatabaseUrl) ? [
  {
    name: 'FAQ_LOG_PATH'
    value: '/tmp/faqbot/question-log.sqlite3'
  }
] : [
  {
    name: 'FAQ_DATABASE_URL'
    value: logDatabaseUrl
  }
])
var containerSettings = useContainer ? [
  {
    name: 'WEBSITES_PORT'
    value: '3978'
  }
] : []
var faqAppSettings = [for setting in items(faqSettings): {
  name: setting.key
  value: string(setting.value)
}]

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${resourceBaseName}-plan'
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
  }
  properties: {
    reserved: true // Linux
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  kind: useContainer ? 'app,linux,container' : 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: useContainer ? 'DOCKER|${containerImage}' : 'PYTHON|3.11'
      appCommandLine: useContainer ? '' : startupCommand // a container runs its own CMD
      acrUseManagedIdentityCreds: useContainer
      acrUserManagedIdentityID: useContainer ? identity.properties.clientId : null
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      healthCheckPath: '/readyz'
      appSettings: concat(botSettings, secretSettings, logSettings, containerSettings, faqAppSettings)
    }
  }
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botServiceName
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: botSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppType: appType
    msaAppId: botAppId
    msaAppTenantId: botTenantId
    msaAppMSIResourceId: useManagedIdentity ? identity.id : null
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

// Outputs named like the variables of deployment/env/.env.<name> and the toolkit's.
output BOT_ID string = botAppId
output BOT_TENANT_ID string = botTenantId
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_SERVICE_NAME string = bot.name
output WEB_APP_NAME string = webApp.name
output IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
