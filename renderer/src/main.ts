import { createApp } from 'vue';
import App from './App.vue';
import './styles.css';
import { connect } from './bridge';
import { registerFlatLoader } from './imaging/loader';
import { init } from './state/session';

registerFlatLoader();
createApp(App).mount('#app');
void init(connect());
